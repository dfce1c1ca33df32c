// The run side of checkpoints (ADR 007): which runs can be resumed, the chain
// a resumed run belongs to, and removing checkpoints once they expire or a
// resumed run has taken over. The engine writes and reads them (engine/checkpoint.ts).
import { readdir, rm } from 'node:fs/promises';
import type { Prisma } from '../db/database';
import { checkpointsRoot, runCheckpointDir } from '../engine/checkpoint';
import { AppError } from '../errors';

type RunStatus = 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';

export interface ResumableFacts {
  id: string;
  status: RunStatus;
  checkpointedAt: Date | null;
  /** Runs that resume this one. */
  resumes: readonly { id: string; status: RunStatus }[];
  /** What started it; a reprocess run is reprocessed again, not resumed. */
  trigger?: string;
}

/** How long checkpoints are kept; 0 keeps none. */
export interface CheckpointPolicy {
  retentionHours: number;
  now?: Date;
}

export const checkpointExpiresAt = (checkpointedAt: Date, retentionHours: number): Date => new Date(checkpointedAt.getTime() + retentionHours * 3_600_000);

/** The run that resumes this one and was not cancelled: while it exists, resume that one instead. */
export const activeResume = (run: ResumableFacts) => run.resumes.find((r) => r.status !== 'cancelled') ?? null;

/** Why the run cannot be resumed, as the error resuming it answers with; null when it can. */
export function resumeBlocker(run: ResumableFacts, policy: CheckpointPolicy): AppError | null {
  if (run.status !== 'failed' && run.status !== 'partially_succeeded') {
    const still = run.status === 'queued' || run.status === 'running';
    return new AppError('RUN_NOT_RESUMABLE', `Only failed or partially succeeded runs can be resumed; this run ${still ? 'is' : 'was'} ${run.status}.`, { runId: run.id, status: run.status });
  }
  if (run.trigger === 'reprocess') {
    // Resuming would run its sources over their whole input; its dead letters stay unmarked until a reprocess succeeds.
    return new AppError('RUN_NOT_RESUMABLE', 'A run that reprocesses rejected rows is not resumed: reprocess the original run again instead (its rejected rows are still waiting).', { runId: run.id });
  }
  const resumedBy = activeResume(run);
  if (resumedBy) {
    return new AppError('RUN_NOT_RESUMABLE', `This run was already resumed by run ${resumedBy.id.slice(0, 8)} (${resumedBy.status.replace('_', ' ')}); resume that run instead, if it failed.`, {
      runId: run.id,
      resumedByRunId: resumedBy.id,
    });
  }
  if (!run.checkpointedAt) {
    return new AppError(
      'CHECKPOINT_UNAVAILABLE',
      'This run kept no checkpoints to resume from (none of its stages finished, it failed before running them, or checkpoints are turned off). Run the pipeline from the start instead.',
      { runId: run.id },
    );
  }
  const now = policy.now ?? new Date();
  if (checkpointExpiresAt(run.checkpointedAt, policy.retentionHours) <= now) {
    return new AppError('CHECKPOINT_UNAVAILABLE', `The checkpoints of this run expired (they are kept ${policy.retentionHours} hour(s)). Run the pipeline from the start instead.`, { runId: run.id });
  }
  return null;
}

export interface ChainLink {
  id: string;
  attempts: number;
  checkpointedAt: Date | null;
}

/** The runs a resumed run continues, nearest first, ending at the run that started from scratch. */
export async function resumeChain(db: Prisma, resumedFromRunId: string): Promise<ChainLink[]> {
  const chain: ChainLink[] = [];
  const seen = new Set<string>();
  for (let id: string | null = resumedFromRunId; id !== null && !seen.has(id); ) {
    seen.add(id);
    const run: (ChainLink & { resumedFromRunId: string | null }) | null = await db.run.findUnique({
      where: { id },
      select: { id: true, attempts: true, checkpointedAt: true, resumedFromRunId: true },
    });
    if (!run) break;
    chain.push({ id: run.id, attempts: run.attempts, checkpointedAt: run.checkpointedAt });
    id = run.resumedFromRunId;
  }
  return chain;
}

/**
 * Attempts taken by every run resumed from `rootRunId`, directly or through
 * other resumes, cancelled ones included, and by the root itself; `exceptRunId`
 * is left out. A resumed run loads with attempt numbers above this sum, so no
 * earlier attempt of the chain can commit after it.
 */
export async function attemptsBefore(db: Prisma, rootRunId: string, exceptRunId: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  for (let level = [rootRunId]; level.length > 0; ) {
    const runs = await db.run.findMany({ where: { id: { in: level } }, select: { id: true, attempts: true, resumes: { select: { id: true } } } });
    level = [];
    for (const run of runs) {
      if (seen.has(run.id)) continue;
      seen.add(run.id);
      if (run.id !== exceptRunId) total += run.attempts;
      level.push(...run.resumes.map((r) => r.id));
    }
  }
  return total;
}

/** Removes a run's checkpoints, files first: a run that says it has none never points at a half-removed folder. */
export async function discardCheckpoint(db: Prisma, dataDir: string, runId: string): Promise<void> {
  await rm(runCheckpointDir(dataDir, runId), { recursive: true, force: true });
  await db.run.updateMany({ where: { id: runId, checkpointedAt: { not: null } }, data: { checkpointedAt: null } });
}

/**
 * Copies the dead letters `nodeIds` stored in one run to another: a resumed
 * run lists, counts and downloads the rows its reused stages rejected as its own.
 */
export async function copyDeadLetters(db: Prisma, fromRunId: string, toRunId: string, nodeIds: readonly string[]): Promise<void> {
  for (const nodeId of nodeIds) {
    await db.$executeRaw`INSERT INTO "dead_letter" ("runId", "nodeId", "reason", "message", "sourceLine", "rawLine", "row")
      SELECT ${toRunId}::uuid, "nodeId", "reason", "message", "sourceLine", "rawLine", "row" FROM "dead_letter"
      WHERE "runId" = ${fromRunId}::uuid AND "nodeId" = ${nodeId} ORDER BY "id"`;
  }
}

/**
 * Removes expired checkpoints, and folders no finished run claims (left by an
 * attempt that lost to a newer one, or by a run since deleted). A checkpoint
 * that a queued or running resume reads is left alone until that run ends.
 */
export async function sweepCheckpoints(o: { db: Prisma; dataDir: string } & CheckpointPolicy): Promise<{ expired: string[]; orphaned: string[] }> {
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - o.retentionHours * 3_600_000);
  const expiredRuns = await o.db.run.findMany({
    where: { checkpointedAt: { not: null, lte: cutoff }, resumes: { none: { status: { in: ['queued', 'running'] } } } },
    select: { id: true },
    take: 1000,
  });
  const expired: string[] = [];
  for (const { id } of expiredRuns) {
    await discardCheckpoint(o.db, o.dataDir, id);
    expired.push(id);
  }

  let folders: string[];
  try {
    folders = (await readdir(checkpointsRoot(o.dataDir))).filter((name) => /^[0-9a-f-]{36}$/i.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { expired, orphaned: [] };
    throw error;
  }
  const orphaned: string[] = [];
  for (let i = 0; i < folders.length; i += 500) {
    const batch = folders.slice(i, i + 500);
    // A folder is claimed by a run that says it has a checkpoint, or by a run still executing (it may be writing one).
    const claimed = await o.db.run.findMany({ where: { id: { in: batch }, OR: [{ checkpointedAt: { not: null } }, { status: { in: ['queued', 'running'] } }] }, select: { id: true } });
    const keep = new Set(claimed.map((r) => r.id));
    for (const id of batch.filter((f) => !keep.has(f))) {
      await rm(runCheckpointDir(o.dataDir, id), { recursive: true, force: true });
      orphaned.push(id);
    }
  }
  return { expired, orphaned };
}
