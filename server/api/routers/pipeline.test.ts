import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyPipeline } from '../../pipeline/model';
import { openTestDatabase, signUpTestUser, testDatabaseKinds, type TestDatabase } from '../../testing/db';
import { linearPipeline } from '../../testing/pipelines';
import { createTestServices, type TestServices } from '../../testing/services';
import { createCaller } from '../root';

describe.each(testDatabaseKinds)('pipeline router on %s', (kind) => {
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

  it('gives every new user a workspace of their own', async () => {
    const [wa, wb] = [await alice.workspace.current(), await bob.workspace.current()];
    expect(wa.name).toBe("alice's workspace");
    expect(wa.id).not.toBe(wb.id);
  });

  it('creates, saves immutable versions, and reads back the latest', async () => {
    const { id } = await alice.pipeline.create({ name: 'Orders' });
    expect(await alice.pipeline.get({ id })).toMatchObject({ name: 'Orders', latestVersion: 0, document: emptyPipeline(), savedAt: null });

    const doc = linearPipeline();
    expect(await alice.pipeline.save({ id, document: doc, baseVersion: 0, message: 'first' })).toEqual({ version: 1, unchanged: false });
    expect(await alice.pipeline.save({ id, document: doc, baseVersion: 1 })).toEqual({ version: 1, unchanged: true });
    const changed = linearPipeline({ keep: ['order_id'] });
    expect(await alice.pipeline.save({ id, document: changed, baseVersion: 1 })).toEqual({ version: 2, unchanged: false });

    const got = await alice.pipeline.get({ id });
    expect(got.latestVersion).toBe(2);
    expect(got.document).toEqual(changed);
    const versions = await db.prisma.pipelineVersion.findMany({ where: { pipelineId: id }, orderBy: { version: 'asc' } });
    expect(versions.map((v) => [v.version, v.message, v.authorId, v.formatVersion])).toEqual([
      [1, 'first', (await db.prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.com' } })).id, 1],
      [2, '', versions[0]?.authorId, 1],
    ]);
    expect(versions[0]?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(versions[0]?.contentHash).not.toBe(versions[1]?.contentHash);
    expect((await alice.pipeline.list()).map((p) => p.name)).toContain('Orders');
  });

  it('refuses a save based on an outdated version instead of overwriting it', async () => {
    const { id } = await alice.pipeline.create({ name: 'Concurrent' });
    await alice.pipeline.save({ id, document: linearPipeline(), baseVersion: 0 });
    const error = await alice.pipeline.save({ id, document: linearPipeline({ keep: ['amount'] }), baseVersion: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('CONFLICT');
    expect((await alice.pipeline.get({ id })).latestVersion).toBe(1);
  });

  it('compiles drafts into diagnostics and schemas', async () => {
    const result = await alice.pipeline.compile({ document: linearPipeline({ rules: [{ column: 'stauts', op: 'eq', value: 'paid' }] }) });
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'UNKNOWN_COLUMN', nodeId: 'keep_paid', path: ['rules', 0, 'column'], message: expect.stringContaining('did you mean "status"') as unknown }),
    );
    expect(result.schemas.src?.output?.map((c) => c.name)).toEqual(['order_id', 'customer', 'amount', 'status']);
  });

  it('explains the stages a run would execute', async () => {
    const { stages, diagnostics } = await alice.pipeline.explain({ document: linearPipeline() });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // The filter and the column selection are fused into the sink's statement.
    expect(stages?.map((s) => s.id)).toEqual(['src', 'out']);
    expect((await alice.pipeline.explain({ document: emptyPipeline() })).stages).toBeNull();
  });

  it("keeps workspaces apart: nobody reads, changes or runs another workspace's pipeline", async () => {
    const { id } = await alice.pipeline.create({ name: 'Private' });
    await alice.pipeline.save({ id, document: linearPipeline(), baseVersion: 0 });
    await expect(bob.pipeline.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(bob.pipeline.save({ id, document: emptyPipeline(), baseVersion: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(bob.run.start({ pipelineId: id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await bob.run.list({ pipelineId: id })).toEqual([]);
    expect((await bob.pipeline.list()).map((p) => p.id)).not.toContain(id);
    const { runId } = await alice.run.start({ pipelineId: id });
    await expect(bob.run.get({ runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const readAll = async (stream: AsyncIterable<unknown>) => {
      const seen: unknown[] = [];
      for await (const event of stream) seen.push(event);
      return seen;
    };
    await expect(readAll(await bob.run.events({ runId }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await alice.pipeline.get({ id })).latestVersion).toBe(1);
  });

  it('requires a session for everything', async () => {
    const anonymous = createCaller({ db: db.prisma, user: null, services: () => services });
    await expect(anonymous.pipeline.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.workspace.current()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('will not run a pipeline that was never saved', async () => {
    const { id } = await alice.pipeline.create({ name: 'Unsaved' });
    await expect(alice.run.start({ pipelineId: id })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: 'Save the pipeline before running it' });
  });
});
