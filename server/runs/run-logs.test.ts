import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../api/root';
import { openTestDatabase, signUpTestUser, testDatabaseKinds, type TestDatabase } from '../testing/db';
import { linearPipeline } from '../testing/pipelines';
import { createTestServices, type TestServices } from '../testing/services';
import type { PublishedRunEvent } from './events';
import { executeRun } from './execute-run';
import { recordRunEvent } from './recorder';
import { listRunLogs } from './run-logs';

describe.each(testDatabaseKinds)('run log pages on %s', (kind) => {
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let alice: ReturnType<typeof createCaller>;
  let bob: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-run-logs-'));
    alice = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'alice@example.com'), services: () => services });
    bob = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'bob@example.com'), services: () => services });
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A queued run (never executed) whose log holds `count` lines: every third a warning about node b, the others info about node a. */
  async function runWithLines(count: number): Promise<string> {
    const { id } = await alice.pipeline.create({ name: `logs ${count}` });
    await alice.pipeline.save({ id, document: linearPipeline(), baseVersion: 0 });
    const { runId } = await alice.run.start({ pipelineId: id });
    await recordRunEvent(db.prisma, services.bus, runId, { type: 'run', status: 'running' });
    for (let i = 1; i <= count; i++) {
      await recordRunEvent(db.prisma, services.bus, runId, i % 3 === 0 ? { type: 'log', level: 'warn', message: `line ${i}`, nodeId: 'b' } : { type: 'log', level: 'info', message: `line ${i}`, nodeId: 'a' });
      // Stage events in between are not log lines.
      if (i % 4 === 0) await recordRunEvent(db.prisma, services.bus, runId, { type: 'stage', stageId: 'a', nodeIds: ['a'], status: 'running' });
    }
    await recordRunEvent(db.prisma, services.bus, runId, { type: 'log', level: 'error', message: 'run-level failure' });
    return runId;
  }

  const messages = (page: { lines: { message: string }[] }) => page.lines.map((l) => l.message);

  it('hands the newest lines first, oldest first within a page, and pages back by cursor to the first line', async () => {
    const runId = await runWithLines(10);
    const newest = await alice.run.logs({ runId, limit: 4 });
    expect(messages(newest)).toEqual(['line 8', 'line 9', 'line 10', 'run-level failure']);
    expect(newest.lines[1]).toMatchObject({ level: 'warn', nodeId: 'b' });
    expect(newest.lines[3]).toMatchObject({ level: 'error', nodeId: null });
    expect(newest.olderCursor).toBe(newest.lines[0]?.id);
    const ids = newest.lines.map((l) => BigInt(l.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(newest.lines.every((l) => l.at instanceof Date && Date.now() - l.at.getTime() < 60_000)).toBe(true);

    const older = await alice.run.logs({ runId, limit: 4, before: newest.olderCursor });
    expect(messages(older)).toEqual(['line 4', 'line 5', 'line 6', 'line 7']);
    const oldest = await alice.run.logs({ runId, limit: 4, before: older.olderCursor });
    expect(messages(oldest)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(oldest.olderCursor).toBeNull();
  });

  it('a page exactly as long as what is left says there is nothing older', async () => {
    const runId = await runWithLines(3);
    const page = await alice.run.logs({ runId, limit: 4 });
    expect(messages(page)).toEqual(['line 1', 'line 2', 'line 3', 'run-level failure']);
    expect(page.olderCursor).toBeNull();
    expect(await alice.run.logs({ runId, before: page.lines[0]?.id })).toEqual({ lines: [], olderCursor: null });
  });

  it('filters by level and by node, and pages within the filter', async () => {
    const runId = await runWithLines(10);
    const warnings = await alice.run.logs({ runId, levels: ['warn'], limit: 2 });
    expect(messages(warnings)).toEqual(['line 6', 'line 9']);
    expect(messages(await alice.run.logs({ runId, levels: ['warn'], limit: 2, before: warnings.olderCursor }))).toEqual(['line 3']);
    expect(messages(await alice.run.logs({ runId, levels: ['warn', 'error'] }))).toEqual(['line 3', 'line 6', 'line 9', 'run-level failure']);
    expect(messages(await alice.run.logs({ runId, nodeIds: ['b'] }))).toEqual(['line 3', 'line 6', 'line 9']);
    expect(messages(await alice.run.logs({ runId, nodeIds: ['a'], levels: ['warn'] }))).toEqual([]);
    expect(messages(await alice.run.logs({ runId, nodeIds: ['a', 'b'], limit: 3 }))).toEqual(['line 8', 'line 9', 'line 10']);
  });

  it("reads the lines a real run writes, with the times they were recorded; another workspace's run is not found", async () => {
    const { id } = await alice.pipeline.create({ name: 'real' });
    await alice.pipeline.save({ id, document: linearPipeline(), baseVersion: 0 });
    const { runId } = await alice.run.start({ pipelineId: id });
    await executeRun(runId, { db: db.prisma, bus: services.bus, dataDir });
    const page = await listRunLogs(db.prisma, { runId, limit: 50 });
    expect(page.lines.length).toBeGreaterThan(0);
    expect(page.lines[0]?.message).toMatch(/Planned \d+ stage\(s\)/);
    // Recorded while the run ran (the last ones just after it finished), in order.
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { startedAt: true } });
    const times = page.lines.map((l) => l.at.getTime());
    expect(times[0]).toBeGreaterThanOrEqual(run.startedAt?.getTime() ?? Infinity);
    expect(times.at(-1)).toBeLessThanOrEqual(Date.now());
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    await expect(bob.run.logs({ runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(alice.run.logs({ runId, before: 'abc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const anonymous = createCaller({ db: db.prisma, user: null, services: () => services });
    await expect(anonymous.run.logs({ runId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('publishes each event live with the time stored with it, and the subscription hands that time on', async () => {
    const runId = await runWithLines(0);
    const received: PublishedRunEvent[] = [];
    const unsubscribe = await services.bus.subscribe(runId, (event) => received.push(event));
    await recordRunEvent(db.prisma, services.bus, runId, { type: 'log', level: 'info', message: 'live line' });
    await expect.poll(() => received.length).toBe(1);
    await unsubscribe();
    const stored = await db.prisma.runEvent.findUniqueOrThrow({ where: { id: BigInt(received[0]?.id ?? '0') } });
    expect(received[0]?.at).toBe(stored.createdAt.toISOString());

    await recordRunEvent(db.prisma, services.bus, runId, { type: 'run', status: 'succeeded' });
    const replayed: unknown[] = [];
    for await (const envelope of await alice.run.events({ runId })) replayed.push(envelope);
    expect((replayed.at(-2) as unknown[]).slice(0, 2)).toEqual([received[0]?.id, { type: 'log', level: 'info', message: 'live line', at: stored.createdAt.toISOString() }]);
  });
});
