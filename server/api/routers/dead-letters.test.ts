import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceDir } from '../../engine/files';
import type { VisualPipeline } from '../../pipeline/model';
import { deadLetterCsv, nodeLabels } from '../../runs/dead-letters';
import { executeRun } from '../../runs/execute-run';
import { openTestDatabase, signUpTestUser, testDatabaseKinds, type TestDatabase } from '../../testing/db';
import { castPipeline, ordersCsv } from '../../testing/pipelines';
import { createTestServices, type TestServices } from '../../testing/services';
import { createCaller } from '../root';

const columns = [
  { name: 'id', type: 'integer' as const },
  { name: 'qty', type: 'string' as const },
];
// Line 4 has a field too many; rows 2, 4 and 5 of what the source passes on have a qty that is not a number.
const quantities = ['id,qty', '1,10', '2,"ten, or so"', '3,30,extra', '4,2', '5,four', '6,"say ""six"""'].join('\n');

describe.each(testDatabaseKinds)('dead letters on %s', (kind) => {
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let alice: ReturnType<typeof createCaller>;
  let bob: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-dead-letters-'));
    alice = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'alice@example.com'), services: () => services });
    bob = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'bob@example.com'), services: () => services });
    const files = workspaceDir(dataDir, (await alice.workspace.current()).id);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'quantities.csv'), quantities);
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Saves and queues the pipeline, then executes the run here, as a worker would. */
  async function run(document: VisualPipeline): Promise<string> {
    const { id } = await alice.pipeline.create({ name: 'rejecting' });
    await alice.pipeline.save({ id, document, baseVersion: 0 });
    const { runId } = await alice.run.start({ pipelineId: id });
    await executeRun(runId, { db: db.prisma, bus: services.bus, dataDir });
    return runId;
  }

  const rejecting = (onError: 'reject' | 'fail' = 'reject') =>
    castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError, onMalformedRow: 'deadLetter' });

  it('stores what each node rejected and counts it on the stages and the run: rows read = rows written + rows rejected', async () => {
    const runId = await run(rejecting());
    const detail = await alice.run.get({ runId });
    expect(detail).toMatchObject({ status: 'succeeded', rowsRead: 6, rowsWritten: 2, rowsRejected: 4 });
    expect(detail.rowsRead).toBe(detail.rowsWritten + detail.rowsRejected);
    expect(detail.stages.map((s) => [s.stageId, s.rowsIn, s.rowsOut, s.rowsRejected])).toEqual([
      ['src', 6, 5, 1],
      // The cast is fused into the sink's stage, which counts its rejects; the dead letters still name the cast.
      ['out', 5, 2, 3],
    ]);
    expect((await alice.run.list({ pipelineId: (await db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).pipelineId }))[0]).toMatchObject({ rowsRejected: 4 });

    const page = await alice.run.deadLetters({ runId });
    expect(page.byNode).toEqual([
      { nodeId: 'src', count: 1 },
      { nodeId: 'typed', count: 3 },
    ]);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((d) => [d.nodeId, d.reason, d.sourceLine, d.rawLine, d.row])).toEqual([
      ['src', 'CSV_MALFORMED_ROW', 4, '3,30,extra', null],
      ['typed', 'CAST_FAILED', null, null, { id: 2, qty: 'ten, or so' }],
      ['typed', 'CAST_FAILED', null, null, { id: 5, qty: 'four' }],
      ['typed', 'CAST_FAILED', null, null, { id: 6, qty: 'say "six"' }],
    ]);
    expect(page.items[0]?.message).toMatch(/Expected Number of Columns: 2 Found: 3/);
    expect(page.items.slice(1).map((d) => d.message)).toEqual([
      `Row 2: column "qty" value 'ten, or so' does not convert to integer`,
      `Row 4: column "qty" value 'four' does not convert to integer`,
      `Row 5: column "qty" value 'say "six"' does not convert to integer`,
    ]);
  });

  it('pages through the dead letters in the order they were rejected, and filters by node', async () => {
    const runId = await run(rejecting());
    const first = await alice.run.deadLetters({ runId, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(first.items[1]?.id);
    const second = await alice.run.deadLetters({ runId, limit: 2, cursor: first.nextCursor });
    expect(second.items.map((d) => d.row)).toEqual([
      { id: 5, qty: 'four' },
      { id: 6, qty: 'say "six"' },
    ]);
    expect(second.nextCursor).toBeNull();
    const typed = await alice.run.deadLetters({ runId, nodeId: 'typed', limit: 2 });
    expect(typed.items.map((d) => d.row)).toEqual([
      { id: 2, qty: 'ten, or so' },
      { id: 5, qty: 'four' },
    ]);
    const typedRest = await alice.run.deadLetters({ runId, nodeId: 'typed', cursor: typed.nextCursor });
    expect(typedRest.items.map((d) => d.row)).toEqual([{ id: 6, qty: 'say "six"' }]);
    await expect(alice.run.deadLetters({ runId, cursor: 'abc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("refuses another workspace's run as not found, and needs a session", async () => {
    const runId = await run(rejecting());
    await expect(bob.run.deadLetters({ runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const anonymous = createCaller({ db: db.prisma, user: null, services: () => services });
    await expect(anonymous.run.deadLetters({ runId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('keeps the dead letters of a failed run, which explain it, and a retried attempt does not duplicate them', async () => {
    const runId = await run(rejecting('fail'));
    const failed = await alice.run.get({ runId });
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'CAST_FAILED', errorNodeId: 'typed', rowsRejected: 1 });
    expect(failed.errorMessage).toBe(`Row 2: column "qty" value 'ten, or so' does not convert to integer. 2 more row(s) fail the same way.`);
    const stored = await alice.run.deadLetters({ runId });
    expect(stored.items.map((d) => [d.nodeId, d.sourceLine])).toEqual([['src', 4]]);

    // A worker that died mid-run leaves it running; the queue delivers it again.
    await db.prisma.run.update({ where: { id: runId }, data: { status: 'running' } });
    await executeRun(runId, { db: db.prisma, bus: services.bus, dataDir });
    const retried = await alice.run.deadLetters({ runId });
    expect(retried.items.map((d) => [d.nodeId, d.sourceLine])).toEqual([['src', 4]]);
    expect(retried.items[0]?.id).not.toBe(stored.items[0]?.id);
    expect(await alice.run.get({ runId })).toMatchObject({ status: 'failed', rowsRejected: 1 });
  });

  it('has no dead letters for a clean run', async () => {
    const runId = await run(castPipeline({ sourcePath: 'orders.csv', columns: [{ name: 'order_id', type: 'string' }, { name: 'customer', type: 'string' }, { name: 'amount', type: 'string' }, { name: 'status', type: 'string' }], casts: [{ column: 'amount', to: 'float' }], onError: 'reject' }));
    expect(await alice.run.get({ runId })).toMatchObject({ status: 'succeeded', rowsRead: 5, rowsWritten: 5, rowsRejected: 0 });
    expect(await alice.run.deadLetters({ runId })).toEqual({ items: [], nextCursor: null, byNode: [] });
  });

  it('writes them as CSV with node labels, quoting what needs it', async () => {
    const document = rejecting();
    const typed = document.nodes.find((n) => n.id === 'typed');
    if (typed) typed.label = 'Typed, "strictly"';
    const runId = await run(document);
    let csv = '';
    for await (const chunk of deadLetterCsv(db.prisma, runId, nodeLabels(document))) csv += chunk;
    expect(csv.split('\r\n')).toEqual([
      'node_id,node,reason,source_line,message,raw_line,row',
      expect.stringMatching(/^src,src,CSV_MALFORMED_ROW,4,Expected Number of Columns: 2 Found: 3,"3,30,extra",$/) as unknown,
      `typed,"Typed, ""strictly""",CAST_FAILED,,"Row 2: column ""qty"" value 'ten, or so' does not convert to integer",,"{""id"":2,""qty"":""ten, or so""}"`,
      `typed,"Typed, ""strictly""",CAST_FAILED,,"Row 4: column ""qty"" value 'four' does not convert to integer",,"{""id"":5,""qty"":""four""}"`,
      `typed,"Typed, ""strictly""",CAST_FAILED,,"Row 5: column ""qty"" value 'say ""six""' does not convert to integer",,"{""id"":6,""qty"":""say \\""six\\""""}"`,
      '',
    ]);
  });
});
