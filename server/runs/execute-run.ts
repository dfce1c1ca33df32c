// Executes one queued run: compile the saved version, run the plan on DuckDB,
// and record every state change. Called by workers; knows nothing of BullMQ.
import path from 'node:path';
import { formatDiagnostic } from '../compiler/diagnostics';
import type { ConnectionResolver } from '../connectors/connection';
import { processKeyring, type Keyring } from '../connectors/secrets';
import type { SourceWatermark } from '../connectors/source';
import { connectionSettings } from '../connectors/store';
import type { Prisma } from '../db/database';
import { analyzePipeline } from '../engine/analyze';
import { executePlan, type StageEvent } from '../engine/execute';
import { workspaceDir } from '../engine/files';
import { AppError, errorMessage } from '../errors';
import type { VisualPipeline } from '../pipeline/model';
import { ColumnTypeSchema } from '../pipeline/types';
import type { RunEventBus } from './events';
import { recordRunEvent } from './recorder';

export interface ExecuteRunDeps {
  db: Prisma;
  bus: RunEventBus;
  dataDir: string;
  signal?: AbortSignal;
  /** Opens connection secrets; the process's keyring when absent. */
  keyring?: Keyring;
}

export type ExecuteRunOutcome = 'succeeded' | 'failed' | 'skipped';

export async function executeRun(runId: string, deps: ExecuteRunDeps): Promise<ExecuteRunOutcome> {
  const { db, bus } = deps;
  const run = await db.run.findUnique({ where: { id: runId }, include: { version: { select: { document: true } } } });
  if (!run) throw new AppError('NOT_FOUND', `Run ${runId} does not exist`);
  // Queues deliver at least once: a finished run is never executed again.
  if (run.status !== 'queued' && run.status !== 'running') return 'skipped';

  await db.run.update({ where: { id: runId }, data: { status: 'running', startedAt: new Date(), attempts: { increment: 1 } } });
  await db.stageRun.deleteMany({ where: { runId } });
  await recordRunEvent(db, bus, runId, { type: 'run', status: 'running' });

  const document = run.version.document as unknown as VisualPipeline;
  const labelOf = (nodeId: string) => document.nodes.find((n) => n.id === nodeId)?.label ?? nodeId;

  const fail = async (code: string, message: string, nodeId?: string): Promise<ExecuteRunOutcome> => {
    await db.run.update({
      where: { id: runId },
      data: { status: 'failed', finishedAt: new Date(), errorCode: code, errorMessage: message, errorNodeId: nodeId ?? null },
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
      errorMessage: e.error?.message ?? null,
    });
  };

  // Console output of JavaScript nodes goes to the run log.
  const logWrites: Promise<void>[] = [];
  const onLog = (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => {
    logWrites.push(recordRunEvent(db, bus, runId, { type: 'log', ...line }).catch(() => undefined));
  };

  // Database sources: the run's own workspace's connections only, decrypted when a stage asks.
  const connections: ConnectionResolver = async (connectionId, nodeId) => {
    try {
      return await connectionSettings(db, deps.keyring ?? processKeyring(), run.workspaceId, connectionId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        throw new AppError('CONNECTION_NOT_FOUND', `"${labelOf(nodeId)}" uses a connection that does not exist in this workspace (it may have been deleted). Choose another connection.`, { nodeId, connectionId });
      }
      throw error instanceof AppError && !error.details.nodeId ? new AppError(error.code, error.message, { ...error.details, nodeId }, { cause: error }) : error;
    }
  };

  try {
    const result = await executePlan(compiled.plan, {
      workspaceRoot: workspaceDir(deps.dataDir, run.workspaceId),
      tempDir: path.join(deps.dataDir, 'tmp', runId),
      onStage,
      onLog,
      connections,
      watermarks: await loadWatermarks(db, run.pipelineId),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    await Promise.all(logWrites);
    // Only now, with every stage succeeded, do the incremental sources move on.
    await storeWatermarks(db, run.pipelineId, result.watermarks);
    await db.run.update({
      where: { id: runId },
      data: { status: 'succeeded', finishedAt: new Date(), rowsRead: result.rowsRead, rowsWritten: result.rowsWritten },
    });
    for (const f of result.files) {
      await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Wrote ${f.rows} row(s) to ${f.path}`, nodeId: f.nodeId });
    }
    await recordRunEvent(db, bus, runId, { type: 'run', status: 'succeeded', rowsRead: result.rowsRead, rowsWritten: result.rowsWritten });
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

async function loadWatermarks(db: Prisma, pipelineId: string): Promise<Record<string, SourceWatermark>> {
  const rows = await db.sourceWatermark.findMany({ where: { pipelineId }, select: { nodeId: true, column: true, type: true, value: true } });
  const watermarks: Record<string, SourceWatermark> = {};
  for (const row of rows) {
    const type = ColumnTypeSchema.safeParse(row.type);
    if (type.success) watermarks[row.nodeId] = { column: row.column, type: type.data, value: row.value };
  }
  return watermarks;
}

async function storeWatermarks(db: Prisma, pipelineId: string, watermarks: Record<string, SourceWatermark>): Promise<void> {
  for (const [nodeId, w] of Object.entries(watermarks)) {
    const data = { column: w.column, type: w.type, value: w.value };
    await db.sourceWatermark.upsert({ where: { pipelineId_nodeId: { pipelineId, nodeId } }, create: { pipelineId, nodeId, ...data }, update: data });
  }
}
