// Schedules against real Redis (BullMQ job schedulers) and PostgreSQL: exactly
// one run per firing with two workers and concurrent reconcilers, pause and
// resume with catch-up, catch-up at start-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScheduleWorker, type ScheduleWorker } from '../../workers/schedule-worker';
import { createCaller } from '../api/root';
import { openTestDatabase, signUpTestUser, type TestDatabase } from '../testing/db';
import { linearPipeline } from '../testing/pipelines';
import { createTestServices, type TestServices } from '../testing/services';
import { catchUp, createSchedule, fireSchedule, LATE_AFTER_MS, pauseSchedule, reconcileSchedules, resumeSchedule, type ScheduleDeps } from './service';
import { latestSlot, timingOf } from './timing';
import { sleep, until } from '../testing/wait';


describe('schedules', () => {
  let db: TestDatabase;
  let services: TestServices;
  let caller: ReturnType<typeof createCaller>;
  let deps: ScheduleDeps;
  let workspaceId: string;
  let userId: string;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    services = createTestServices();
    const user = await signUpTestUser(db.prisma, 'schedules@example.com');
    userId = user.id;
    caller = createCaller({ db: db.prisma, user, services: () => services });
    workspaceId = (await caller.workspace.current()).id;
    deps = { db: db.prisma, runQueue: services.queue, scheduleQueue: services.scheduleQueue, minIntervalSeconds: 0.1 };
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
  });

  async function savedPipeline(): Promise<string> {
    const { id } = await caller.pipeline.create({ name: 'scheduled' });
    await caller.pipeline.save({ id, document: linearPipeline(), baseVersion: 0 });
    return id;
  }
  const runsOf = (scheduleId: string) => db.prisma.run.findMany({ where: { scheduleId }, orderBy: { scheduledFor: 'asc' }, select: { scheduledFor: true, trigger: true } });

  it('fires every 300 ms exactly once per firing with two workers and reconcilers racing', async () => {
    const pipelineId = await savedPipeline();
    const schedule = await createSchedule(deps, { workspaceId, pipelineId, userId, name: 'fast', timing: { kind: 'interval', intervalSeconds: 0.3 }, missedRunPolicy: 'skip', parameters: {} });
    const workers: ScheduleWorker[] = await Promise.all([0, 1].map(() => startScheduleWorker({ db: db.prisma, redisUrl: services.redisUrl, prefix: services.prefix, reconcileIntervalMs: 700 })));
    try {
      // Web servers starting meanwhile reconcile too.
      const racing = (async () => {
        for (let i = 0; i < 10; i++) {
          await Promise.all([reconcileSchedules(deps, { catchUp: true }), reconcileSchedules(deps, { catchUp: true })]);
          await sleep(400);
        }
      })();
      await until('32 firings', async () => (await db.prisma.run.count({ where: { scheduleId: schedule.id } })) >= 32, 60_000);
      await racing;
    } finally {
      await pauseSchedule(deps, workspaceId, schedule.id);
      await Promise.all(workers.map((w) => w.close()));
    }
    const runs = await runsOf(schedule.id);
    const times = runs.map((r) => r.scheduledFor?.getTime() ?? 0);
    expect(new Set(times).size).toBe(runs.length);
    expect(times.every((t) => t % 300 === 0)).toBe(true);
    // Consecutive firings: none skipped, none twice.
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.filter((g) => g !== 300)).toEqual([]);
    expect(runs.length).toBeGreaterThanOrEqual(32);
  }, 90_000);

  it('fires nothing while paused; resuming with catchUpOnce starts exactly one catch-up run', async () => {
    const pipelineId = await savedPipeline();
    const schedule = await createSchedule(deps, { workspaceId, pipelineId, userId, name: 'paused', timing: { kind: 'interval', intervalSeconds: 0.2 }, missedRunPolicy: 'catchUpOnce', parameters: {} });
    const worker = await startScheduleWorker({ db: db.prisma, redisUrl: services.redisUrl, prefix: services.prefix });
    try {
      await until('a few firings', async () => (await db.prisma.run.count({ where: { scheduleId: schedule.id } })) >= 3);
      await pauseSchedule(deps, workspaceId, schedule.id);
      const pausedAt = Date.now();
      await sleep(300); // a firing already being handled may still land
      const before = await db.prisma.run.count({ where: { scheduleId: schedule.id } });
      await sleep(1_200);
      expect(await db.prisma.run.count({ where: { scheduleId: schedule.id } })).toBe(before);
      expect(await services.scheduleQueue.getJobScheduler(schedule.id)).toBeUndefined();

      const { catchUpRunId } = await resumeSchedule(deps, workspaceId, schedule.id);
      expect(catchUpRunId).not.toBeNull();
      const catchUps = (await runsOf(schedule.id)).filter((r) => r.trigger === 'catch_up');
      expect(catchUps).toHaveLength(1);
      expect(catchUps[0]?.scheduledFor?.getTime()).toBeGreaterThan(pausedAt);
      // Firing resumes on the clock, and the catch-up is not repeated by later reconciles.
      await until('firing again', async () => (await db.prisma.run.count({ where: { scheduleId: schedule.id, trigger: 'schedule', scheduledFor: { gt: new Date() } } })) === 0 && (await db.prisma.run.count({ where: { scheduleId: schedule.id } })) >= before + 3);
      await reconcileSchedules(deps, { catchUp: true });
      expect((await runsOf(schedule.id)).filter((r) => r.trigger === 'catch_up')).toHaveLength(1);
    } finally {
      await pauseSchedule(deps, workspaceId, schedule.id);
      await worker.close();
    }
  }, 60_000);

  it('with skip, resuming starts no catch-up run', async () => {
    const pipelineId = await savedPipeline();
    const schedule = await createSchedule(deps, { workspaceId, pipelineId, userId, timing: { kind: 'interval', intervalSeconds: 0.2 }, name: '', missedRunPolicy: 'skip', parameters: {} });
    await pauseSchedule(deps, workspaceId, schedule.id);
    await sleep(500);
    expect((await resumeSchedule(deps, workspaceId, schedule.id)).catchUpRunId).toBeNull();
    await pauseSchedule(deps, workspaceId, schedule.id);
    expect(await db.prisma.run.count({ where: { scheduleId: schedule.id } })).toBe(0);
  });

  it('after downtime, a catchUpOnce schedule gets one run for the missed firings, however many processes start', async () => {
    const pipelineId = await savedPipeline();
    const schedule = await createSchedule(deps, { workspaceId, pipelineId, userId, name: 'hourly', timing: { kind: 'cron', cron: '0 * * * *', timeZone: 'Europe/Berlin' }, missedRunPolicy: 'catchUpOnce', parameters: {} });
    // Pretend it last fired five hours ago and nothing ran since.
    const fiveHoursAgo = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000);
    await db.prisma.schedule.update({ where: { id: schedule.id }, data: { lastFiredAt: fiveHoursAgo, activeSince: fiveHoursAgo } });
    await Promise.all([reconcileSchedules(deps, { catchUp: true }), reconcileSchedules(deps, { catchUp: true }), reconcileSchedules(deps, { catchUp: true })]);
    // The overdue fire job BullMQ kept arrives late as well: still the same one run.
    const late = await fireSchedule(deps, schedule.id, new Date(fiveHoursAgo.getTime() + 3_600_000));
    expect(late.status).toBe('caught_up');
    const runs = await runsOf(schedule.id);
    expect(runs).toHaveLength(1);
    // The newest firing more than LATE_AFTER_MS ago: a newer one still has its fire job coming.
    expect(runs[0]).toMatchObject({ trigger: 'catch_up', scheduledFor: latestSlot(timingOf(schedule), new Date(Date.now() - LATE_AFTER_MS)) });
    await pauseSchedule(deps, workspaceId, schedule.id);
  });

  it('a start-up catch-up leaves a firing that is due but not yet handled to its fire job', async () => {
    const pipelineId = await savedPipeline();
    const schedule = await createSchedule(deps, { workspaceId, pipelineId, userId, name: 'due', timing: { kind: 'interval', intervalSeconds: 3600 }, missedRunPolicy: 'catchUpOnce', parameters: {} });
    const firedAt = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 10 * 3_600_000);
    await db.prisma.schedule.update({ where: { id: schedule.id }, data: { lastFiredAt: firedAt, activeSince: firedAt } });
    try {
      // The next firing is 50 ms overdue, its fire job about to be handled: a worker starting now must not take it.
      const due = new Date(firedAt.getTime() + 3_600_000);
      expect(await reconcileSchedules(deps, { catchUp: true, now: new Date(due.getTime() + 50) })).toMatchObject({ caughtUp: 0 });
      expect(await fireSchedule(deps, schedule.id, due, { now: new Date(due.getTime() + 60) })).toMatchObject({ status: 'started', created: true });
      // Two firings later and over a minute overdue, they are missed. A process that read the
      // schedule before another one caught up (with its clock a firing further on) makes none.
      const stale = await db.prisma.schedule.findUniqueOrThrow({ where: { id: schedule.id } });
      const missedBy = new Date(due.getTime() + 2 * 3_600_000 + 1_000);
      expect(await reconcileSchedules(deps, { catchUp: true, now: new Date(missedBy.getTime() + 3_600_000 + LATE_AFTER_MS) })).toMatchObject({ caughtUp: 1 });
      expect(await catchUp(deps, stale, missedBy)).toBeNull();
      expect(await fireSchedule(deps, schedule.id, new Date(due.getTime() + 3_600_000), { now: new Date(missedBy.getTime() + 3_600_000 + LATE_AFTER_MS) })).toEqual({ status: 'caught_up', runId: null });
      expect((await runsOf(schedule.id)).map((r) => r.trigger)).toEqual(['schedule', 'catch_up']);
    } finally {
      await pauseSchedule(deps, workspaceId, schedule.id);
    }
  });

  it('racing resumes, a stale fire job and a reconciler make one catch-up for the pause', async () => {
    const pipelineId = await savedPipeline();
    const schedule = await createSchedule(deps, { workspaceId, pipelineId, userId, name: 'racing resume', timing: { kind: 'interval', intervalSeconds: 60 }, missedRunPolicy: 'catchUpOnce', parameters: {} });
    await pauseSchedule(deps, workspaceId, schedule.id);
    const firedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000);
    await db.prisma.schedule.update({ where: { id: schedule.id }, data: { lastFiredAt: firedAt, activeSince: firedAt } });
    // Resumes whose clocks fall in different firing slots would each pick a different catch-up time.
    const resumedAt = [5, 6, 7].map((slots) => new Date(firedAt.getTime() + slots * 60_000 + 1_000));
    const latest = resumedAt[2] ?? new Date();
    try {
      const outcomes = await Promise.all([
        ...resumedAt.map((at) => resumeSchedule(deps, workspaceId, schedule.id, at)),
        // A fire job from before the pause, retried long after it.
        fireSchedule(deps, schedule.id, new Date(firedAt.getTime() + 60_000), { now: latest }),
        // A start-up reconcile on the first resume's clock. (On a later clock, a firing due after
        // that resume and never fired would be a new miss, rightly caught up on its own.)
        reconcileSchedules(deps, { catchUp: true, now: resumedAt[0] ?? latest, lateAfterMs: 0 }),
      ]);
      const catchUps = (await runsOf(schedule.id)).filter((r) => r.trigger === 'catch_up');
      expect(catchUps).toHaveLength(1);
      const runIds = outcomes.slice(0, 3).map((o) => ('catchUpRunId' in o ? o.catchUpRunId : null)).filter((id) => id !== null);
      expect(runIds).toHaveLength(1);
      expect(resumedAt.map((at) => latestSlot(timingOf(schedule), at).getTime())).toContain(catchUps[0]?.scheduledFor?.getTime());
      expect(await db.prisma.run.count({ where: { scheduleId: schedule.id } })).toBe(1);
    } finally {
      await pauseSchedule(deps, workspaceId, schedule.id);
    }
  });

  it('reconciling removes schedulers of deleted and paused schedules and restores lost ones', async () => {
    const pipelineId = await savedPipeline();
    const kept = await createSchedule(deps, { workspaceId, pipelineId, userId, name: '', timing: { kind: 'preset', preset: 'daily', timeZone: 'America/New_York' }, missedRunPolicy: 'skip', parameters: {} });
    const gone = await createSchedule(deps, { workspaceId, pipelineId, userId, name: '', timing: { kind: 'preset', preset: 'weekly', timeZone: 'UTC' }, missedRunPolicy: 'skip', parameters: {} });
    await db.prisma.schedule.delete({ where: { id: gone.id } }); // behind BullMQ's back
    await services.scheduleQueue.removeJobScheduler(kept.id); // as if Redis lost it
    await reconcileSchedules(deps);
    expect(await services.scheduleQueue.getJobScheduler(gone.id)).toBeUndefined();
    expect(await services.scheduleQueue.getJobScheduler(kept.id)).toMatchObject({ pattern: '0 0 * * *', tz: 'America/New_York' });
    await caller.schedule.delete({ scheduleId: kept.id });
    expect(await services.scheduleQueue.getJobScheduler(kept.id)).toBeUndefined();
  });
});
