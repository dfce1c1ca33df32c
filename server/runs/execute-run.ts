// Executes one queued run: compile the saved version, run the plan on DuckDB,
// and record every state change. Called by workers; knows nothing of BullMQ.
//
// Queues deliver at least once, so the same run may be executed again (a
// retried job, a job the reconciler re-queued, a stalled job a second worker
// picked up). Each execution takes the next attempt number; only the newest
// attempt may write the run's outcome (fencing), and a finished run is never
// executed again.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostic } from '../compiler/diagnostics';
import type { ConnectionResolver } from '../connectors/connection';
import { processKeyring, type Keyring } from '../connectors/secrets';
import type { SourceWatermark } from '../connectors/source';
import { connectionSettings } from '../connectors/store';
import type { Prisma, PrismaNamespace } from '../db/database';
import { analyzePipeline } from '../engine/analyze';
import { attemptCheckpointDir, openCheckpoint, type CheckpointOutcome, type OpenedCheckpoint } from '../engine/checkpoint';
import { executePlan, type RejectBatch, type StageEvent } from '../engine/execute';
import type { LoadIdentity } from '../connectors/load';
import { workspaceDir } from '../engine/files';
import { AppError, errorMessage } from '../errors';
import { pipelineSettings, type VisualPipeline } from '../pipeline/model';
import { ColumnTypeSchema } from '../pipeline/types';
import { applyParameters } from './apply-parameters';
import { concurrencyLimits } from './backfill';
import { attemptsBefore, copyDeadLetters, discardCheckpoint, resumeChain } from './checkpoints';
import type { RunEventBus } from './events';
import { recordRunEvent } from './recorder';
import { markReprocessed, prepareReplay, type PreparedReplay } from './reprocess';
import { env } from '../env';

export interface ExecuteRunDeps {
  db: Prisma;
  bus: RunEventBus;
  dataDir: string;
  /** Aborted when the worker shuts down: the run is handed back, not finished. */
  signal?: AbortSignal;
  /** Aborted when someone cancels the run (the worker hears it on Redis, faster than the heartbeat's check). */
  cancel?: AbortSignal;
  /** How often the executing worker refreshes the run's heartbeat. */
  heartbeatMs?: number;
  /** Server folders sources may read as alias:path; default: SLUICE_ALLOWED_DIRS. */
  readDirectories?: Readonly<Record<string, string>>;
  /** Opens connection secrets; the process's keyring when absent. */
  keyring?: Keyring;
  /** Called once the run finished as succeeded (starts the pipelines triggered by it). */
  onSucceeded?: (runId: string) => Promise<void>;
  /** How long checkpoints of failed runs are kept, in hours (0: none); default SLUICE_CHECKPOINT_RETENTION_HOURS. */
  checkpointRetentionHours?: number;
}

/** 'deferred': the pipeline already runs its maximum of concurrent runs; try again shortly. */
export type ExecuteRunOutcome = 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled' | 'skipped' | 'deferred';

const HEARTBEAT_MS = 5_000;
/** A running run whose heartbeat is older than this has lost its worker. */
export const STALE_AFTER_MS = 30_000;

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
  if (run.status !== 'queued' && run.status !== 'running') return 'skipped';

  if (run.cancelRequestedAt) {
    await db.run.updateMany({ where: { id: runId, status: { in: ['queued', 'running'] } }, data: { status: 'cancelled', finishedAt: new Date() } });
    await recordRunEvent(db, bus, runId, { type: 'run', status: 'cancelled' });
    return 'cancelled';
  }

  const document = run.version.document as unknown as VisualPipeline;
  const settings = pipelineSettings(document);
  const labelOf = (nodeId: string) => document.nodes.find((n) => n.id === nodeId)?.label ?? nodeId;

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

  const attempt = run.attempts + 1;
  // Claims the run for this attempt; loses if another attempt claimed it in between. With a
  // concurrency limit, counting the pipeline's live runs and claiming happen under one lock.
  const claim = async (tx: Prisma) =>
    (
      await tx.run.updateMany({
        where: { id: runId, attempts: run.attempts, status: { in: ['queued', 'running'] } },
        data: { status: 'running', startedAt: run.startedAt ?? new Date(), attempts: attempt, heartbeatAt: new Date(), rowsRejected: 0 },
      })
    ).count === 1;
  // The pipeline's limit and, for a backfill's runs, the backfill's own.
  const limits = await concurrencyLimits(db, run, settings);
  const claimed =
    limits.length === 0
      ? await claim(db)
      : await db.$transaction(async (tx) => {
          for (const l of limits) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${l.lockKey}))`;
          for (const l of limits) {
            const live = await tx.run.count({ where: { ...l.where, status: 'running', id: { not: runId }, heartbeatAt: { gt: new Date(Date.now() - STALE_AFTER_MS) } } });
            if (live >= l.limit) return 'deferred';
          }
          return await claim(tx as unknown as Prisma);
        });
  if (claimed === 'deferred') return 'deferred';
  if (!claimed) return 'skipped';
  /** Writes only while this attempt is the newest; false once a newer one took over. */
  const fenced = async (data: Parameters<Prisma['run']['updateMany']>[0]['data'], tx: Prisma = db) =>
    (await tx.run.updateMany({ where: { id: runId, attempts: attempt, status: 'running' }, data })).count === 1;

  // A retried attempt starts afresh: its stages and rejected rows replace the last attempt's (a first attempt has none).
  if (attempt > 1) {
    await db.stageRun.deleteMany({ where: { runId } });
    await db.deadLetter.deleteMany({ where: { runId } });
  }
  await recordRunEvent(db, bus, runId, { type: 'run', status: 'running' });
  // Rows rejected by the stages that finished; kept on a failed run, whose dead letters stay to explain it.
  let rowsRejected = 0;
  /** Set once the engine kept a checkpoint of this attempt (a failed run that may be resumed). */
  let checkpointKept = false;
  const retentionHours = deps.checkpointRetentionHours ?? env().SLUICE_CHECKPOINT_RETENTION_HOURS;
  const checkpointDir = attemptCheckpointDir(deps.dataDir, runId, attempt);
  /** A reprocess run: what its replayed sources read, and the dead letters it marks once it succeeds. */
  let replay: PreparedReplay | undefined;
  const replayDir = path.join(deps.dataDir, 'tmp', `${runId}-${attempt}-replay`);
  if (attempt > 1) await recordRunEvent(db, bus, runId, { type: 'log', level: 'warn', message: `Attempt ${attempt}: the previous attempt did not finish; running again` });

  const finish = async (
    status: 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled',
    outcome: { code?: string; message?: string; nodeId?: string; rowsRead?: number; rowsWritten?: number; watermarks?: Record<string, SourceWatermark> },
  ): Promise<ExecuteRunOutcome> => {
    const data = {
      status,
      rowsRejected,
      finishedAt: new Date(),
      checkpointedAt: checkpointKept ? new Date() : null,
      errorCode: outcome.code ?? null,
      errorMessage: outcome.message ?? null,
      errorNodeId: outcome.nodeId ?? null,
      ...(outcome.rowsRead !== undefined ? { rowsRead: outcome.rowsRead } : {}),
      ...(outcome.rowsWritten !== undefined ? { rowsWritten: outcome.rowsWritten } : {}),
    };
    // The outcome and the incremental sources' new watermarks are committed together, by the newest attempt only;
    // so are a reprocess run's success and the marks on the dead letters it replayed.
    const marks = status === 'succeeded' ? replay : undefined;
    let marked = 0;
    const won =
      outcome.watermarks || marks
        ? await db.$transaction(async (tx) => {
            const mine = await fenced(data, tx as unknown as Prisma);
            if (mine && outcome.watermarks) await storeWatermarks(tx as unknown as Prisma, run.pipelineId, outcome.watermarks);
            if (mine && marks) marked = await markReprocessed(tx as unknown as Prisma, marks, runId);
            return mine;
          })
        : await fenced(data);
    if (!won) {
      // A newer attempt finishes the run; what this one kept is nobody's.
      if (checkpointKept) await rm(checkpointDir, { recursive: true, force: true }).catch(() => undefined);
      return 'skipped';
    }
    // Once a resume has ended (other than cancelled), the checkpoints of the runs before it are not needed any more.
    if (run.resumedFromRunId && status !== 'cancelled') {
      for (const earlier of await resumeChain(db, run.resumedFromRunId)) {
        await discardCheckpoint(db, deps.dataDir, earlier.id).catch((error: unknown) =>
          recordRunEvent(db, bus, runId, { type: 'log', level: 'warn', message: `Could not remove the checkpoints of run ${earlier.id}: ${errorMessage(error)}` }),
        );
      }
    }
    if (marks) await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Marked ${marked} rejected row(s) of run ${marks.originalRunId} as reprocessed by this run` });
    if (outcome.message && status !== 'succeeded') {
      await recordRunEvent(db, bus, runId, { type: 'log', level: status === 'cancelled' ? 'warn' : 'error', message: outcome.message, ...(outcome.nodeId ? { nodeId: outcome.nodeId } : {}) });
    }
    await recordRunEvent(db, bus, runId, {
      type: 'run',
      status,
      ...(outcome.message !== undefined && status !== 'succeeded' ? { errorMessage: outcome.message, errorNodeId: outcome.nodeId ?? null } : {}),
      ...(outcome.rowsRead !== undefined ? { rowsRead: outcome.rowsRead } : {}),
      ...(outcome.rowsWritten !== undefined ? { rowsWritten: outcome.rowsWritten, rowsRejected } : {}),
    });
    return status;
  };

  // Cancel requests, the run timeout and the worker's own shutdown all end in one signal.
  const controller = new AbortController();
  let stopReason: 'cancelled' | 'timeout' | 'shutdown' | undefined;
  const stop = (reason: typeof stopReason) => {
    stopReason ??= reason;
    controller.abort();
  };
  deps.signal?.addEventListener('abort', () => stop('shutdown'), { once: true });
  deps.cancel?.addEventListener('abort', () => stop('cancelled'), { once: true });
  if (deps.signal?.aborted) stop('shutdown');
  if (deps.cancel?.aborted) stop('cancelled');
  const runTimer = settings.runTimeoutSeconds === null ? undefined : setTimeout(() => stop('timeout'), settings.runTimeoutSeconds * 1000);
  // The heartbeat doubles as the cancel check: one small query every few seconds.
  const heartbeat = setInterval(() => {
    void db.run
      .findUnique({ where: { id: runId }, select: { cancelRequestedAt: true, attempts: true } })
      .then(async (current) => {
        if (current?.cancelRequestedAt) stop('cancelled');
        else if (current && current.attempts !== attempt) stop('shutdown');
        else await fenced({ heartbeatAt: new Date() });
      })
      .catch(() => undefined);
  }, deps.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();


  try {
    let withValues = await applyParameters(document, run.parameters as Record<string, string | number | boolean>, { tempDir: path.join(deps.dataDir, 'tmp', `${runId}-${attempt}-parameters`) });
    if (run.reprocessOfRunId) {
      // The sources that rejected rows (or fed the node that did) read only those rows, from files written here.
      await mkdir(replayDir, { recursive: true });
      replay = await prepareReplay(db, { id: runId, reprocessOfRunId: run.reprocessOfRunId }, withValues, replayDir, deps.readDirectories ?? env().SLUICE_ALLOWED_DIRS);
      withValues = replay.document;
      const what = replay.plan.sources.map((s) => `${labelOf(s.sourceId)} reads ${s.slices.reduce((n, x) => n + x.rows, 0)}`).join(', ');
      await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Reprocessing ${replay.plan.rows} rejected row(s) of run ${run.reprocessOfRunId}: ${what}` });
      for (const s of replay.plan.skipped) await recordRunEvent(db, bus, runId, { type: 'log', level: 'warn', nodeId: s.nodeId, message: `${s.rows} rejected row(s) are not reprocessed: ${s.why}` });
    }
    const compiled = await analyzePipeline(withValues, { tempDir: path.join(deps.dataDir, 'tmp', `${runId}-${attempt}-analyze`) });
    if (!compiled.plan) {
      const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
      const message = `The pipeline has ${errors.length} problem(s): ${errors.map((d) => formatDiagnostic(d, labelOf)).join('; ')}`;
      const nodeId = errors.find((d) => d.nodeId)?.nodeId;
      return await finish('failed', { code: 'PIPELINE_INVALID', message, ...(nodeId ? { nodeId } : {}) });
    }

    const watermarks = await loadWatermarks(db, run.pipelineId);
    // Database destinations record run and attempt with each load: a retry never loads twice, a stale attempt never commits.
    let load: LoadIdentity = { runId, pipelineId: run.pipelineId, attempt };
    let resume: OpenedCheckpoint | undefined;
    if (run.resumedFromRunId) {
      const chain = await resumeChain(db, run.resumedFromRunId);
      const from = chain[0];
      // Expiry was checked when the resume was asked for; the sweeper leaves a checkpoint alone while its resume waits or runs.
      if (!from?.checkpointedAt) {
        throw new AppError('CHECKPOINT_UNAVAILABLE', `The checkpoints of run ${run.resumedFromRunId} are gone, so it cannot be resumed. Run the pipeline from the start instead.`);
      }
      resume = await openCheckpoint(attemptCheckpointDir(deps.dataDir, from.id, from.attempts), { plan: compiled.plan, watermarks, labelOf });
      // The whole chain loads as its first run, with attempt numbers above every earlier one's: a load an
      // earlier run committed is found in the destination's ledger, and its stale attempts are fenced off.
      const first = chain.at(-1) ?? from;
      load = { runId: first.id, pipelineId: run.pipelineId, attempt: (await attemptsBefore(db, first.id, runId)) + attempt };
      await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Resuming run ${from.id}: ${resume.stages.size} finished stage(s) are reused from its checkpoint` });
    }
    const resumedFrom = run.resumedFromRunId;

    const stages = compiled.plan.stages;
    await db.stageRun.createMany({ data: stages.map((s, position) => ({ runId, stageId: s.id, nodeIds: s.nodeIds, position })) });
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
          ...(e.attempts !== undefined ? { attempts: e.attempts } : {}),
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
        ...(e.attempts !== undefined ? { attempts: e.attempts } : {}),
        rowsRejected: e.rowsRejected ?? null,
        errorMessage: e.error?.message ?? null,
      });
      rowsRejected += e.rowsRejected ?? 0;
      // A reused stage's rejected rows are the resumed run's too.
      if (e.status === 'reused' && resumedFrom && (e.rowsRejected ?? 0) > 0) await copyDeadLetters(db, resumedFrom, runId, e.nodeIds);
    };

    const onCheckpoint = async (outcome: CheckpointOutcome) => {
      if (outcome.kept) {
        checkpointKept = true;
        const size = outcome.bytes < 1024 * 1024 ? `${Math.max(1, Math.round(outcome.bytes / 1024))} KB` : `${(outcome.bytes / 1024 / 1024).toFixed(1)} MB`;
        await recordRunEvent(db, bus, runId, {
          type: 'log',
          level: 'info',
          message: `Kept a checkpoint to resume from for ${retentionHours} hour(s): ${outcome.stages} finished stage(s), ${outcome.tables} table(s), ${outcome.files} unpublished file(s), ${size}`,
        });
      } else {
        await recordRunEvent(db, bus, runId, { type: 'log', level: 'warn', message: `No checkpoint was kept, so this run cannot be resumed: ${outcome.reason}` });
      }
    };

    // Console output of JavaScript nodes and retry notices go to the run log.
    const logWrites: Promise<void>[] = [];
    const onLog = (line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => {
      logWrites.push(recordRunEvent(db, bus, runId, { type: 'log', ...line }).catch(() => undefined));
    };

    try {
      const result = await executePlan(compiled.plan, {
        workspaceRoot: workspaceDir(deps.dataDir, run.workspaceId),
        tempDir: path.join(deps.dataDir, 'tmp', `${runId}-${attempt}`),
        readDirectories: replay?.readDirectories ?? deps.readDirectories ?? env().SLUICE_ALLOWED_DIRS,
        ...(env().SLUICE_DUCKDB_MEMORY_MB !== undefined ? { memoryLimitMb: env().SLUICE_DUCKDB_MEMORY_MB } : {}),
        onStage,
        onLog,
        onRejects: (batch) => storeDeadLetters(db, runId, batch),
        connections,
        watermarks,
        load,
        signal: controller.signal,
        ...(retentionHours > 0 ? { checkpoint: { dir: checkpointDir, onOutcome: onCheckpoint } } : {}),
        ...(resume ? { resume } : {}),
        policy: {
          retries: settings.stageRetries,
          retryDelayMs: settings.retryDelaySeconds * 1000,
          stageTimeoutMs: settings.stageTimeoutSeconds === null ? null : settings.stageTimeoutSeconds * 1000,
          onBranchFailure: settings.onBranchFailure,
        },
      });
      await Promise.all(logWrites);
      for (const f of result.files) {
        await recordRunEvent(db, bus, runId, { type: 'log', level: 'info', message: `Wrote ${f.rows} row(s) to ${f.path}`, nodeId: f.nodeId });
      }
      if (result.rowsRejected > 0) {
        await recordRunEvent(db, bus, runId, { type: 'log', level: 'warn', message: `Read ${result.rowsRead} row(s), rejected ${result.rowsRejected}, wrote ${result.rowsWritten}` });
      }
      const rows = { rowsRead: result.rowsRead, rowsWritten: result.rowsWritten };
      const [first] = result.failures;
      if (!first) {
        // Only a run whose every stage succeeded moves the incremental sources on; a reprocess run read only replayed rows.
        const outcome = await finish('succeeded', { ...rows, ...(replay ? {} : { watermarks: result.watermarks }) });
        if (outcome === 'succeeded' && deps.onSucceeded) {
          await deps.onSucceeded(runId).catch((error: unknown) => recordRunEvent(db, bus, runId, { type: 'log', level: 'error', message: `Could not start the pipelines triggered by this run: ${errorMessage(error)}` }));
        }
        return outcome;
      }
      const message = `${result.failures.length} branch(es) failed while the others loaded: ${result.failures.map((f) => `${labelOf(f.error.details.nodeId ?? f.stageId)}: ${f.error.message}`).join('; ')}`;
      return await finish('partially_succeeded', { ...rows, code: first.error.code, message, nodeId: first.error.details.nodeId ?? first.stageId });
    } catch (error) {
      await Promise.all(logWrites);
      throw error;
    }
  } catch (error) {
    if (stopReason === 'cancelled') return await finish('cancelled', { code: 'RUN_CANCELLED', message: 'The run was cancelled' });
    if (stopReason === 'timeout') return await finish('failed', { code: 'RUN_TIMEOUT', message: `The run ran longer than its ${settings.runTimeoutSeconds ?? 0} s timeout and was stopped` });
    // The worker is shutting down or a newer attempt took over: leave the run to that attempt (or to the queue's retry).
    if (stopReason === 'shutdown') throw new AppError('RUN_CANCELLED', 'The worker stopped before the run finished', { transient: true });
    if (error instanceof AppError) return await finish('failed', { code: error.code, message: error.message, ...(error.details.nodeId ? { nodeId: error.details.nodeId } : {}) });
    return await finish('failed', { code: 'INTERNAL', message: `Unexpected error: ${errorMessage(error)}` });
  } finally {
    clearTimeout(runTimer);
    clearInterval(heartbeat);
    if (run.reprocessOfRunId) await rm(replayDir, { recursive: true, force: true }).catch(() => undefined);
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
