// The database is the source of truth for runs; Redis only carries work. The
// reconciler repairs what Redis lost (a restart without persistence, a
// FLUSHALL, a job removed by hand): every unfinished run whose job is gone, or
// whose worker stopped sending heartbeats, is queued again. One process at a
// time does it, elected through a Redis lease; the same process also removes
// expired checkpoints now and then.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Prisma } from '../db/database';
import { errorMessage } from '../errors';
import { sweepCheckpoints } from './checkpoints';
import { STALE_AFTER_MS } from './execute-run';
import { enqueueRun, type RunJobData } from './queue';

export interface ReconcileOptions {
  db: Prisma;
  queue: Queue<RunJobData>;
  /** A queued run younger than this may simply not have reached Redis yet. */
  queuedGraceMs?: number;
  staleAfterMs?: number;
}

/** Re-queues lost runs once; returns the ids it re-queued. */
export async function reconcileRuns(o: ReconcileOptions): Promise<string[]> {
  const now = Date.now();
  const candidates = await o.db.run.findMany({
    where: {
      OR: [
        { status: 'queued', queuedAt: { lt: new Date(now - (o.queuedGraceMs ?? 10_000)) } },
        { status: 'running', OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: new Date(now - (o.staleAfterMs ?? STALE_AFTER_MS)) } }] },
      ],
    },
    select: { id: true, priority: true, status: true },
    orderBy: { queuedAt: 'asc' },
    take: 1000,
  });
  const requeued: string[] = [];
  for (const run of candidates) {
    const job = await o.queue.getJob(run.id);
    const state = job ? await job.getState() : 'missing';
    // Waiting, delayed or active jobs will reach a worker (an active one whose worker died is
    // moved back by BullMQ's stalled-job check).
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'active' || state === 'waiting-children') continue;
    // A finished job for an unfinished run: the worker died between its last write and the
    // database update. The job is removed so the same id can be queued again.
    if (job) await job.remove().catch(() => undefined);
    await enqueueRun(o.queue, run.id, run.priority);
    requeued.push(run.id);
  }
  return requeued;
}

export interface Reconciler {
  stop(): Promise<void>;
}

export interface CheckpointSweep {
  dataDir: string;
  retentionHours: number;
  /** How often expired checkpoints are removed; default 10 minutes. */
  intervalMs?: number;
}

/** Runs reconcileRuns every `intervalMs` (and sweeps checkpoints) in whichever process holds the lease. */
export function startReconciler(o: ReconcileOptions & { redis: Redis; prefix: string; holder: string; intervalMs?: number; checkpoints?: CheckpointSweep }): Reconciler {
  const interval = o.intervalMs ?? 10_000;
  const lease = `${o.prefix}:reconciler-lease`;
  let running: Promise<void> | undefined;
  let lastSweep = 0;
  const sweep = async (c: CheckpointSweep) => {
    if (Date.now() - lastSweep < (c.intervalMs ?? 10 * 60_000)) return;
    lastSweep = Date.now();
    const { expired, orphaned } = await sweepCheckpoints({ db: o.db, dataDir: c.dataDir, retentionHours: c.retentionHours });
    if (expired.length + orphaned.length > 0) console.log(`[reconciler] removed the checkpoints of ${expired.length} run(s) past their retention and ${orphaned.length} folder(s) no run claims`);
  };
  const tick = async () => {
    try {
      const acquired = await o.redis.set(lease, o.holder, 'PX', interval * 3, 'NX');
      const mine = acquired === 'OK' || (await o.redis.get(lease)) === o.holder;
      if (!mine) return;
      await o.redis.pexpire(lease, interval * 3);
      const requeued = await reconcileRuns(o);
      if (requeued.length > 0) console.warn(`[reconciler] queued ${requeued.length} run(s) again that Redis had lost: ${requeued.slice(0, 5).join(', ')}${requeued.length > 5 ? '…' : ''}`);
      if (o.checkpoints) await sweep(o.checkpoints);
    } catch (error) {
      // Redis or the database is down: the next tick tries again.
      console.warn(`[reconciler] ${errorMessage(error)}`);
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => (running = undefined));
  }, interval);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      if ((await o.redis.get(lease).catch(() => null)) === o.holder) await o.redis.del(lease).catch(() => undefined);
    },
  };
}
