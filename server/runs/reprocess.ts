// Reprocessing a run's dead letters once the pipeline is fixed (ADR 008): a new
// run (trigger reprocess) of the pipeline's newest version in which each CSV
// source that rejected rows, or fed a node that did, reads only those rows
// again; the rest of the pipeline runs as usual. The dead letters it replayed
// are marked with its id in the same transaction that records its success, so
// a dead letter is reprocessed at most once.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Queue } from 'bullmq';
import type { Prisma } from '../db/database';
import { Prisma as PrismaSql } from '../db/generated';
import { AppError } from '../errors';
import type { VisualPipeline } from '../pipeline/model';
import { checkParameterReferences, resolveParameters } from '../pipeline/parameters';
import { getNodeDefinition } from '../pipeline/registry';
import type { RunJobData } from './queue';
import { planReprocess, type DeadLetterCounts, type ReprocessPlan } from './reprocess-plan';
import { assertNotBusy, enqueueRecordedRun, latestVersion } from './service';

/** The server-folder alias a reprocess run's replayed sources read under (its own scratch folder). */
export const REPLAY_ALIAS = 'sluice-replay';
/** Dead letters read per query while writing the replay files. */
const REPLAY_PAGE_ROWS = 1_000;

/** The run's dead letters not reprocessed yet, counted per node. */
export async function deadLetterCounts(db: Prisma, runId: string): Promise<DeadLetterCounts[]> {
  const rows = await db.$queryRaw<{ nodeId: string; total: bigint | number; withRawLine: bigint | number; withRow: bigint | number }[]>`
    SELECT "nodeId", count(*) AS "total", count("rawLine") AS "withRawLine", count("row") AS "withRow"
    FROM dead_letter
    WHERE "runId" = ${runId}::uuid AND "reprocessedByRunId" IS NULL
    GROUP BY "nodeId"
    ORDER BY "nodeId"`;
  return rows.map((r) => ({ nodeId: r.nodeId, total: Number(r.total), withRawLine: Number(r.withRawLine), withRow: Number(r.withRow) }));
}

export interface ReprocessAssessment {
  /** Rows a reprocess would replay now. */
  rows: number;
  /** Latest version number the reprocess would run. */
  version: number | null;
  skipped: ReprocessPlan['skipped'];
  /** Why it cannot be reprocessed now; null when it can. */
  error: AppError | null;
}

/** Whether the run's dead letters can be reprocessed with the pipeline's newest version, and how many rows that would replay. */
export async function assessReprocess(db: Prisma, input: { workspaceId: string; runId: string }) {
  const run = await db.run.findFirst({
    where: { id: input.runId, workspaceId: input.workspaceId },
    select: { id: true, status: true, pipelineId: true, parameters: true, priority: true, version: { select: { document: true } } },
  });
  if (!run) throw new AppError('NOT_FOUND', 'Run not found');
  const fail = (code: 'RUN_NOT_REPROCESSABLE' | 'DEAD_LETTERS_ALREADY_REPROCESSED', message: string, details: Record<string, unknown> = {}) => ({
    run,
    latest: null,
    plan: null,
    assessment: { rows: 0, version: null, skipped: [], error: new AppError(code, message, { runId: run.id, ...details }) } satisfies ReprocessAssessment,
  });
  if (run.status !== 'succeeded') {
    return fail(
      'RUN_NOT_REPROCESSABLE',
      `Only a succeeded run's rejected rows can be reprocessed; this run ${run.status === 'queued' || run.status === 'running' ? 'is' : 'was'} ${run.status.replace('_', ' ')}.${run.status === 'failed' || run.status === 'partially_succeeded' ? ' Resume it or run the pipeline again instead.' : ''}`,
      { status: run.status },
    );
  }
  const active = await db.run.findFirst({ where: { reprocessOfRunId: run.id, status: { in: ['queued', 'running'] } }, select: { id: true } });
  if (active) {
    return fail('DEAD_LETTERS_ALREADY_REPROCESSED', `Run ${active.id.slice(0, 8)} is already reprocessing this run's rejected rows.`, { reprocessedByRunId: active.id });
  }
  const counts = await deadLetterCounts(db, run.id);
  const reprocessedBy = async () =>
    (await db.deadLetter.findFirst({ where: { runId: run.id, reprocessedByRunId: { not: null } }, orderBy: { id: 'desc' }, select: { reprocessedByRunId: true } }))?.reprocessedByRunId ?? null;
  const already = (by: string, rest = '') =>
    fail('DEAD_LETTERS_ALREADY_REPROCESSED', `This run's rejected rows were already reprocessed by run ${by.slice(0, 8)}.${rest}`, { reprocessedByRunId: by });
  if (counts.length === 0) {
    const by = await reprocessedBy();
    return by ? already(by) : fail('RUN_NOT_REPROCESSABLE', 'This run rejected no rows into dead letters, so there is nothing to reprocess.');
  }
  const latest = await latestVersion(db, input.workspaceId, run.pipelineId);
  const plan = planReprocess(run.version.document as unknown as VisualPipeline, latest.document, counts);
  if (plan.rows === 0) {
    // The rows that could be replayed were; the others never can be.
    const by = await reprocessedBy();
    if (by) return already(by, ` The other ${plan.skipped.reduce((n, x) => n + x.rows, 0)} cannot be: ${plan.skipped.map((x) => x.why).join('; ')}.`);
  }
  const assessment: ReprocessAssessment = {
    rows: plan.rows,
    version: latest.version,
    skipped: plan.skipped,
    error: plan.blocker ? new AppError('RUN_NOT_REPROCESSABLE', plan.blocker, { runId: run.id }) : null,
  };
  return { run, latest, plan, assessment };
}

/**
 * Records a run that reprocesses a succeeded run's dead letters with the
 * pipeline's newest version, then queues it. Under one lock per run, so two
 * requests at once start one run; while it is queued or running, and once it
 * succeeded, another request answers DEAD_LETTERS_ALREADY_REPROCESSED.
 */
export async function reprocessRun(
  db: Prisma,
  queue: Queue<RunJobData>,
  input: { workspaceId: string; runId: string; userId: string; /** The version the user confirmed. */ version?: number },
  maxQueued?: number,
): Promise<{ runId: string; rows: number }> {
  await assertNotBusy(queue, maxQueued ?? 5_000);
  const created = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`reprocess:${input.runId}`}))`;
    const { run, latest, assessment } = await assessReprocess(tx as unknown as Prisma, input);
    if (assessment.error || !latest) throw assessment.error ?? new AppError('INTERNAL', 'No version to reprocess with');
    if (input.version !== undefined && assessment.version !== input.version) {
      throw new AppError('CONFLICT', `The pipeline was saved again since you confirmed: its latest version is now v${assessment.version ?? '?'}, not v${input.version}. Check it and reprocess again.`, {
        runId: run.id,
        version: assessment.version,
      });
    }
    // The original run's parameter values, for the parameters the newest version still declares.
    const declared = new Set(latest.parameters.map((p) => p.name));
    const given = Object.fromEntries(Object.entries((run.parameters ?? {}) as Record<string, string | number | boolean>).filter(([name]) => declared.has(name)));
    checkParameterReferences({ ...latest.document, parameters: latest.parameters });
    const parameters = resolveParameters(latest.parameters, given);
    const row = await tx.run.create({
      data: {
        workspaceId: input.workspaceId,
        pipelineId: run.pipelineId,
        versionId: latest.id,
        requestedById: input.userId,
        priority: run.priority,
        parameters,
        trigger: 'reprocess',
        reprocessOfRunId: run.id,
      },
      select: { id: true, priority: true },
    });
    return { ...row, rows: assessment.rows };
  });
  await enqueueRecordedRun(queue, created.id, created.priority);
  return { runId: created.id, rows: created.rows };
}

/** What a reprocess run reads instead of its sources' files, and what it marks once it succeeds. */
export interface PreparedReplay {
  originalRunId: string;
  /** The document with each replayed source pointed at its replay file. */
  document: VisualPipeline;
  /** Server folders the run may read, the replay folder included. */
  readDirectories: Record<string, string>;
  plan: ReprocessPlan;
}

/**
 * Writes the replay file of each source a reprocess run replays into `dir`
 * (the header, then the rejected rows in the order they were rejected: raw
 * lines as stored, stored rows rendered in the source's own dialect) and
 * points the source at it.
 */
export async function prepareReplay(
  db: Prisma,
  run: { id: string; reprocessOfRunId: string },
  document: VisualPipeline,
  dir: string,
  readDirectories: Readonly<Record<string, string>>,
): Promise<PreparedReplay> {
  const original = await db.run.findUnique({ where: { id: run.reprocessOfRunId }, select: { id: true, version: { select: { document: true } } } });
  if (!original) throw new AppError('RUN_NOT_REPROCESSABLE', `Run ${run.reprocessOfRunId} no longer exists, so its rejected rows cannot be reprocessed.`);
  const plan = planReprocess(original.version.document as unknown as VisualPipeline, document, await deadLetterCounts(db, original.id));
  if (plan.blocker) throw new AppError('RUN_NOT_REPROCESSABLE', plan.blocker, { runId: original.id });

  const replaced = new Map<string, Record<string, unknown>>();
  for (const source of plan.sources) {
    const node = document.nodes.find((n) => n.id === source.sourceId);
    const definition = node ? getNodeDefinition(node.kind) : undefined;
    const replay = definition?.replay;
    const parsed = definition?.config.safeParse(node?.config);
    if (!replay || !parsed?.success) {
      throw new AppError('PIPELINE_INVALID', `"${node?.label ?? source.sourceId}" is not a valid CSV source, so it cannot read the rejected rows again`, { nodeId: source.sourceId });
    }
    const config = parsed.data;
    const fieldOf = new Map(source.slices.map((s) => [s.nodeId, s.field]));
    const file = `${source.sourceId}.csv`;
    const handle = await open(path.join(dir, file), 'w');
    try {
      for (const line of replay.header(config)) await handle.write(`${line}\n`);
      let cursor: bigint | undefined;
      for (;;) {
        const rows = await db.deadLetter.findMany({
          where: { runId: original.id, nodeId: { in: [...fieldOf.keys()] }, reprocessedByRunId: null, ...(cursor !== undefined ? { id: { gt: cursor } } : {}) },
          orderBy: { id: 'asc' },
          take: REPLAY_PAGE_ROWS,
          select: { id: true, nodeId: true, rawLine: true, row: true },
        });
        if (rows.length === 0) break;
        const lines: string[] = [];
        for (const r of rows) {
          if (fieldOf.get(r.nodeId) === 'rawLine') {
            if (r.rawLine !== null) lines.push(r.rawLine);
          } else if (r.row !== null && typeof r.row === 'object' && !Array.isArray(r.row)) {
            lines.push(replay.recordLine(r.row, config));
          }
        }
        if (lines.length > 0) await handle.write(`${lines.join('\n')}\n`);
        cursor = rows.at(-1)?.id;
      }
    } finally {
      await handle.close();
    }
    replaced.set(source.sourceId, replay.readFrom(config, `${REPLAY_ALIAS}:${file}`) as Record<string, unknown>);
  }
  return {
    originalRunId: original.id,
    document: { ...document, nodes: document.nodes.map((n) => (replaced.has(n.id) ? { ...n, config: replaced.get(n.id) ?? n.config } : n)) },
    readDirectories: { ...readDirectories, [REPLAY_ALIAS]: dir },
    plan,
  };
}

/**
 * Marks the dead letters `replay` read as reprocessed by `runId`; called in
 * the transaction that records the run's success. Returns how many it marked.
 */
export async function markReprocessed(tx: Prisma, replay: PreparedReplay, runId: string): Promise<number> {
  let marked = 0;
  for (const slice of replay.plan.sources.flatMap((s) => s.slices)) {
    // The slice replayed the rows that kept what it read: their raw line, or their values.
    const kept = slice.field === 'rawLine' ? PrismaSql.sql`"rawLine"` : PrismaSql.sql`"row"`;
    marked += await tx.$executeRaw`UPDATE dead_letter SET "reprocessedByRunId" = ${runId}::uuid WHERE "runId" = ${replay.originalRunId}::uuid AND "nodeId" = ${slice.nodeId} AND "reprocessedByRunId" IS NULL AND ${kept} IS NOT NULL`;
  }
  return marked;
}
