import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, signUpTestUser, testDatabaseKinds, type TestDatabase } from '../../testing/db';
import { linearPipeline } from '../../testing/pipelines';
import { createTestServices, type TestServices } from '../../testing/services';
import { createCaller } from '../root';

describe.each(testDatabaseKinds)('pipeline versions on %s', (kind) => {
  let db: TestDatabase;
  let services: TestServices;
  let alice: ReturnType<typeof createCaller>;
  let bob: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = createTestServices();
    const a = await signUpTestUser(db.prisma, 'alice@example.com');
    const b = await signUpTestUser(db.prisma, 'bob@example.com');
    alice = createCaller({ db: db.prisma, user: a, services: () => services });
    bob = createCaller({ db: db.prisma, user: b, services: () => services });
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
  });

  async function pipelineWithTwoVersions() {
    const { id } = await alice.pipeline.create({ name: 'History' });
    await alice.pipeline.save({ id, document: linearPipeline(), baseVersion: 0, message: 'first cut' });
    await alice.pipeline.save({ id, document: linearPipeline({ keep: ['order_id'] }), baseVersion: 1 });
    return id;
  }

  it('lists versions newest first with author, time, message and content hash', async () => {
    const id = await pipelineWithTwoVersions();
    const versions = await alice.pipeline.versions({ id });
    expect(versions.map((v) => [v.version, v.message, v.author])).toEqual([
      [2, '', { name: 'alice', email: 'alice@example.com' }],
      [1, 'first cut', { name: 'alice', email: 'alice@example.com' }],
    ]);
    expect(versions[0]?.createdAt).toBeInstanceOf(Date);
    expect(versions[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(versions[1]!.createdAt.getTime());
    expect(versions[0]?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(versions[0]?.contentHash).not.toBe(versions[1]?.contentHash);
    expect(await alice.pipeline.versions({ id: (await alice.pipeline.create({ name: 'Unsaved' })).id })).toEqual([]);
  });

  it('reads one version and diffs two', async () => {
    const id = await pipelineWithTwoVersions();
    expect((await alice.pipeline.version({ id, version: 1 })).document).toEqual(linearPipeline());
    const diff = await alice.pipeline.diff({ id, from: 1, to: 2 });
    expect(diff.changedNodes).toEqual([{ id: 'cols', kind: 'select-columns', configKeys: ['columns'], kindVersionChanged: false, labelChanged: false, moved: false }]);
    expect([diff.addedNodes, diff.removedNodes, diff.addedEdges, diff.removedEdges]).toEqual([[], [], [], []]);
    await expect(alice.pipeline.version({ id, version: 3 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(alice.pipeline.diff({ id, from: 1, to: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('Version 9') as unknown });
  });

  it('restores an old version as a new one, refusing a stale base', async () => {
    const id = await pipelineWithTwoVersions();
    await expect(alice.pipeline.restore({ id, version: 1, baseVersion: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await alice.pipeline.get({ id })).latestVersion).toBe(2);

    expect(await bob.pipeline.versions({ id }).catch((e: unknown) => e)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await alice.pipeline.restore({ id, version: 1, baseVersion: 2 })).toEqual({ version: 3, unchanged: false });
    const got = await alice.pipeline.get({ id });
    expect(got.document).toEqual(linearPipeline());
    const [restored, , first] = await alice.pipeline.versions({ id });
    expect(restored).toMatchObject({ version: 3, message: 'Restored version 1', contentHash: first?.contentHash });
    // Restoring what is already the latest writes nothing.
    expect(await alice.pipeline.restore({ id, version: 1, baseVersion: 3 })).toEqual({ version: 3, unchanged: true });
  });

  it("keeps another workspace's history out of reach", async () => {
    const id = await pipelineWithTwoVersions();
    for (const attempt of [
      () => bob.pipeline.versions({ id }),
      () => bob.pipeline.version({ id, version: 1 }),
      () => bob.pipeline.diff({ id, from: 1, to: 2 }),
      () => bob.pipeline.restore({ id, version: 1, baseVersion: 2 }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await alice.pipeline.get({ id })).latestVersion).toBe(2);
  });

  it('names the other author when their save made mine stale', async () => {
    // Same workspace, two sessions of the same user: the second save from base 1 conflicts.
    const id = await pipelineWithTwoVersions();
    await alice.pipeline.save({ id, document: linearPipeline({ keep: ['amount'] }), baseVersion: 2, message: 'tab one' });
    await expect(alice.pipeline.save({ id, document: linearPipeline({ keep: ['customer'] }), baseVersion: 2 })).rejects.toMatchObject({ code: 'CONFLICT' });
    const [latest] = await alice.pipeline.versions({ id });
    expect(latest).toMatchObject({ version: 3, message: 'tab one', author: { email: 'alice@example.com' } });
  });
});
