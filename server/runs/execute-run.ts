// Executes one queued run: compile the saved version, run the plan on DuckDB,
// and record every state change. Called by workers; knows nothing of BullMQ.
import path from 'node:path';
import { formatDiagnostic } from '../compiler/diagnostics';
import type { Prisma, PrismaNamespace } from '../db/database';
import { analyzePipeline } from '../engine/analyze';
import { executePlan, type RejectBatch, type StageEvent } from '../engine/execute';
import { workspaceDir } from '../engine/files';
import { AppError, errorMessage } from '../errors';
import type { VisualPipeline } from '../pipeline/model';
import type { RunEventBus } from './events';
import { recordRunEvent } from './recorder';

export interface ExecuteRunDeps {
  db: Prisma;
  bus: RunEventBus;
  dataDir: string;
  signal?: AbortSignal;
}

export type ExecuteRunOutcome = 'succeeded' | 'failed' | 'skipped';

/** Dead letters per INSERT: a DuckDB chunk (2,048 rows) is split into a few statements of bounded size. */
const DEAD_LETTERS_PER_INSERT = 500;

/** PostgreSQL text and jsonb cannot hold NUL characters; a rejected line may. */
const withoutNul = (text: string): string => text.replaceAll('\0', '\uFFFD');

function jsonWithoutNul(value: PrismaNamespace.InputJsonValue | null): PrismaNamespace.InputJsonValue | null {
  if (typeof value === 'string') return withoutNul(value);
  if (Array.isArray(value)) return value.map((v) => jsonWithoutNul(v as PrismaNamespace.InputJsonValue | null));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), jsonWithoutNul((v ?? null) as PrismaNamespace.InputJsonValue | null)]));
  }
  return value;
}

async function storeDeadLetters(db: Prisma, runId: string, batch: RejectBatch): Promise<void> {
  for (let start = 0; start < batch.rows.length; start += DEAD_LETTERS_PER_INSERT) {
    await db.deadLetter.createMany({
      data: batch.rows.slice(start, start + DEAD_LETTERS_PER_INSERT).map((r) => ({
        runId,
        nodeId: batch.nodeId,
        reason: batch.reason,
        message: withoutNul(r.message),
        sourceLine: r.sourceLine,
        rawLine: r.rawLine === null ? null : withoutNul(r.rawLine),
        ...(r.row ? { row: jsonWithoutNul(r.row) as PrismaNamespace.InputJsonObject } : {}),
      })),
    });
  }
}

export async function executeRun(runId: string, deps: ExecuteRunDeps): Promise<ExecuteRunOutcome> {
  const { db, bus } = deps;
  const run = await db.run.findUnique({ where: { id: runId }, include: { version: { select: { document: true } } } });
  if (!run) throw new AppError('NOT_FOUND', `Run ${runId} does not exist`);
  // Queues deliver at least once: a finished run is never executed again.
  if (run.status !== 'queued' && run.status !== 'running') return 'skipped';

  await db.run.update({ where: { id: runId }, data: { status: 'running', startedAt: new Date(), attempts: { increment: 1 }, rowsRejected: 0 } });
  // A retried attempt starts afresh: its stages and rejected rows replace the last attempt's.
  await db.stageRun.deleteMany({ where: { runId } });
  await db.deadLetter.deleteMany({ where: { runId } });
  await recordRunEvent(db, bus, runId, { type: 'run', status: 'running' });

  const document = run.version.document as unknown as VisualPipeline;
  const labelOf = (nodeId: string) => document.nodes.find((n) => n.id === nodeId)?.label ?? nodeId;

  // Rows rejected by the stages that finished; kept on a failed run, whose dead letters stay to explain it.
  let rowsRejected = 0;

  const fail = async (code: string, message: string, nodeId?: string): Promise<ExecuteRunOutcome> => {
    await db.run.update({
      where: { id: runId },
      data: { status: 'failed', finishedAt: new Date(), errorCode: code, errorMessage: message, errorNodeId: nodeId ?? null, rowsRejected },
    });
    await recordRunEvent(db, bus, runId, { type: 'log', level: 'error', message, ...(nodeId ? { nodeId } : {}) });
    await recordRunEvent(db, bus, runId, { type: 'run', status: 'failed', errorMessage: message, errorNodeId: nodeId ?? null });
    return 'failed';
  };

  const compiled = await analyzePipeline(document, { tempDir: path.join(deps.dataDir, 'tmp', `${runId}-analyze`) });
  if (!compiled.plan) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    const message = `The pipeline has ${errors.length} problem(s): ${errors.map((d) => formatDiagnostic(d, labelOf)).join('; ')}`;
    return fail('PIPELINE_INVALID', message, errors.find((d) => d.nodeId)?.nodeId);
  }

  const stages = compiled.plan.stages;
  await db.stageRun.createMany({
    data: stages.map((s, position) => ({ runId, stageId: s.id, nodeIds: s.nodeIds, position })),
  });
  await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Planned ${stages.length} stage(s)` });

  const onStage = async (e: StageEvent) => {
    const now = new Date();
    await db.stageRun.update({
      where: { runId_stageId: { runId, stageId: e.stageId } },
      data: {
        status: e.status,
        ...(e.status === 'running' ? { startedAt: now } : { finishedAt: now }),
        ...(e.rowsIn !== undefined ? { rowsIn: e.rowsIn } : {}),
        ...(e.rowsOut !== undefined ? { rowsOut: e.rowsOut } : {}),
        ...(e.rowsRejected !== undefined ? { rowsRejected: e.rowsRejected } : {}),
        ...(e.error ? { errorCode: e.error.code, errorMessage: e.error.message } : {}),
      },
    });
    await recordRunEvent(db, bus, runId, {
      type: 'stage',
      stageId: e.stageId,
      nodeIds: e.nodeIds,
      status: e.status,
      rowsIn: e.rowsIn ?? null,
      rowsOut: e.rowsOut ?? null,
      rowsRejected: e.rowsRejected ?? null,
      errorMessage: e.error?.message ?? null,
    });
    rowsRejected += e.rowsRejected ?? 0;
  };

  // Console output of JavaScript nodes goes to the run log.
  const logWrites: Promise<void>[] = [];
  const onLog = (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => {
    logWrites.push(recordRunEvent(db, bus, runId, { type: 'log', ...line }).catch(() => undefined));
  };

  try {
    const result = await executePlan(compiled.plan, {
      workspaceRoot: workspaceDir(deps.dataDir, run.workspaceId),
      tempDir: path.join(deps.dataDir, 'tmp', runId),
      onStage,
      onLog,
      onRejects: (batch) => storeDeadLetters(db, runId, batch),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    await Promise.all(logWrites);
    await db.run.update({
      where: { id: runId },
      data: { status: 'succeeded', finishedAt: new Date(), rowsRead: result.rowsRead, rowsWritten: result.rowsWritten, rowsRejected: result.rowsRejected },
    });
    for (const f of result.files) {
      await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Wrote ${f.rows} row(s) to ${f.path}`, nodeId: f.nodeId });
    }
    if (result.rowsRejected > 0) {
      await recordRunEvent(db, bus, runId, {
        type: 'log',
        level: 'warn',
        message: `Read ${result.rowsRead} row(s), rejected ${result.rowsRejected}, wrote ${result.rowsWritten}`,
      });
    }
    await recordRunEvent(db, bus, runId, { type: 'run', status: 'succeeded', rowsRead: result.rowsRead, rowsWritten: result.rowsWritten, rowsRejected: result.rowsRejected });
    return 'succeeded';
  } catch (error) {
    await Promise.all(logWrites);
    if (error instanceof AppError) {
      const nodeId = error.details.nodeId;
      // The node is carried as errorNodeId; the UI names it by its current label.
      return fail(error.code, error.message, nodeId);
    }
    return fail('INTERNAL', `Unexpected error: ${errorMessage(error)}`);
  }
}
