// "When pipeline A succeeds, run pipeline B." Triggers form a graph over the
// workspace's pipelines that must stay acyclic: a pipeline cannot trigger
// itself, and a trigger closing a loop is refused when it is created (under a
// per-workspace lock, so two concurrent creations cannot close one together).
// Runs started by a trigger carry the upstream run, and at most one exists per
// upstream run and downstream pipeline; starting also walks that chain back,
// so even a loop that got in some other way stops.
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { AppError, errorMessage } from '../errors';
import { resolveParameters, type ParameterInput } from '../pipeline/parameters';
import type { RunJobData } from '../runs/queue';
import { latestVersion, startRun } from '../runs/service';

/** Upstream runs followed back when looking for a loop. */
const MAX_CHAIN = 100;

/** Whether `to` is reachable from `from` along enabled triggers. */
function reaches(edges: { upstreamPipelineId: string; downstreamPipelineId: string }[], from: string, to: string): string[] | null {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.upstreamPipelineId, [...(next.get(e.upstreamPipelineId) ?? []), e.downstreamPipelineId]);
  const queue: string[][] = [[from]];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const path = queue.shift() ?? [];
    const last = path[path.length - 1] ?? '';
    if (last === to) return path;
    for (const n of next.get(last) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push([...path, n]);
      }
    }
  }
  return null;
}

export async function createPipelineTrigger(
  db: Prisma,
  input: { workspaceId: string; upstreamPipelineId: string; downstreamPipelineId: string; userId: string; parameters?: ParameterInput },
): Promise<{ id: string }> {
  if (input.upstreamPipelineId === input.downstreamPipelineId) throw new AppError('BAD_INPUT', 'A pipeline cannot trigger itself');
  const pipelines = await db.pipeline.findMany({ where: { workspaceId: input.workspaceId, id: { in: [input.upstreamPipelineId, input.downstreamPipelineId] } }, select: { id: true, name: true } });
  if (pipelines.length !== 2) throw new AppError('NOT_FOUND', 'Pipeline not found');
  const nameOf = (id: string) => pipelines.find((p) => p.id === id)?.name ?? id;
  const parameters = input.parameters ?? {};
  const saved = await db.pipelineVersion.findFirst({ where: { pipelineId: input.downstreamPipelineId }, select: { id: true } });
  if (saved) resolveParameters((await latestVersion(db, input.workspaceId, input.downstreamPipelineId)).parameters, parameters);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`triggers:${input.workspaceId}`}))`;
    const edges = await tx.pipelineTrigger.findMany({ where: { workspaceId: input.workspaceId, enabled: true }, select: { upstreamPipelineId: true, downstreamPipelineId: true } });
    const loop = reaches(edges, input.downstreamPipelineId, input.upstreamPipelineId);
    if (loop) {
      const names = await tx.pipeline.findMany({ where: { id: { in: loop } }, select: { id: true, name: true } });
      const shown = [...loop, input.downstreamPipelineId].map((id) => names.find((n) => n.id === id)?.name ?? nameOf(id));
      throw new AppError('CONFLICT', `This trigger would make a loop: ${shown.join(' → ')}`);
    }
    const existing = await tx.pipelineTrigger.findUnique({ where: { upstreamPipelineId_downstreamPipelineId: { upstreamPipelineId: input.upstreamPipelineId, downstreamPipelineId: input.downstreamPipelineId } }, select: { id: true } });
    if (existing) throw new AppError('CONFLICT', `"${nameOf(input.downstreamPipelineId)}" already runs when "${nameOf(input.upstreamPipelineId)}" succeeds`);
    return tx.pipelineTrigger.create({
      data: { workspaceId: input.workspaceId, upstreamPipelineId: input.upstreamPipelineId, downstreamPipelineId: input.downstreamPipelineId, parameters: parameters, createdById: input.userId },
      select: { id: true },
    });
  });
}

export async function deletePipelineTrigger(db: Prisma, workspaceId: string, triggerId: string): Promise<void> {
  const deleted = await db.pipelineTrigger.deleteMany({ where: { id: triggerId, workspaceId } });
  if (deleted.count === 0) throw new AppError('NOT_FOUND', 'Trigger not found');
}

/**
 * Starts the pipelines triggered by a succeeded run, once each (a repeated
 * call finds the runs it already started). Errors of one trigger do not stop
 * the others; they are reported together afterwards.
 */
export async function startTriggeredRuns(db: Prisma, queue: Queue<RunJobData>, runId: string, maxQueued?: number): Promise<string[]> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { workspaceId: true, pipelineId: true, requestedById: true, status: true } });
  if (run?.status !== 'succeeded') return [];
  const triggers = await db.pipelineTrigger.findMany({ where: { upstreamPipelineId: run.pipelineId, workspaceId: run.workspaceId, enabled: true } });
  if (triggers.length === 0) return [];

  // The pipelines of this run's chain of upstream runs: none of them may start again from it.
  const chain = new Set<string>([run.pipelineId]);
  let cursor: string | null = runId;
  for (let depth = 0; cursor && depth < MAX_CHAIN; depth++) {
    const up: { pipelineId: string; triggeredByRunId: string | null } | null = await db.run.findUnique({ where: { id: cursor }, select: { pipelineId: true, triggeredByRunId: true } });
    if (!up) break;
    chain.add(up.pipelineId);
    cursor = up.triggeredByRunId;
  }

  const started: string[] = [];
  const failures: string[] = [];
  for (const trigger of triggers) {
    if (chain.has(trigger.downstreamPipelineId)) {
      failures.push(`pipeline ${trigger.downstreamPipelineId} already ran in this chain; not starting it again (loop)`);
      continue;
    }
    try {
      const { runId: started1 } = await startRun(
        db,
        queue,
        { workspaceId: run.workspaceId, pipelineId: trigger.downstreamPipelineId, userId: run.requestedById, parameters: trigger.parameters as ParameterInput, trigger: 'pipeline', triggeredByRunId: runId },
        maxQueued,
      );
      started.push(started1);
    } catch (error) {
      failures.push(`pipeline ${trigger.downstreamPipelineId}: ${errorMessage(error)}`);
    }
  }
  if (failures.length > 0) throw new AppError('CONFLICT', `Started ${started.length} of ${triggers.length} triggered pipeline(s); ${failures.join('; ')}`);
  return started;
}
