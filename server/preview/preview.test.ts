import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../api/root';
import { generateSecretKey, secretKeyFrom } from '../connectors/secrets';
import { executePlan } from '../engine/execute';
import { workspaceDir } from '../engine/files';
import type { PipelineNode, VisualPipeline } from '../pipeline/model';
import { openTestDatabase, signUpTestUser, type TestDatabase } from '../testing/db';
import { linearPipeline, ordersCsv } from '../testing/pipelines';
import { createTestServices, type TestServices } from '../testing/services';
import { analyzePipeline } from '../engine/analyze';
import { PreviewCache, previewDocument, previewNode, pushSampleIntoSourceReads, subgraphKey, upstreamGraph, type PreviewData, type PreviewOptions, type PreviewResult } from './preview';

function ok(result: PreviewResult): Extract<PreviewResult, { ok: true }> {
  if (!result.ok) throw new Error(`Preview failed: ${JSON.stringify(result.diagnostics)}`);
  return result;
}

/** linearPipeline plus a PostgreSQL destination with post-load SQL behind the filter. */
function withPostgresSink(doc: VisualPipeline): VisualPipeline {
  const sink: PipelineNode = {
    id: 'pg',
    kind: 'postgres-sink',
    version: 1,
    position: { x: 0, y: 0 },
    config: { connectionId: '00000000-0000-4000-8000-000000000000', table: 'orders', postLoadSql: 'DROP TABLE orders' },
  };
  return { ...doc, nodes: [...doc.nodes, sink], edges: [...doc.edges, { id: 'e_pg', source: { node: 'keep_paid', port: 'output' }, target: { node: 'pg', port: 'input' } }] };
}

describe('previewNode on DuckDB', () => {
  let root: string;
  let scratch: string;
  let executions: number;
  let options: PreviewOptions;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sluice-preview-ws-'));
    scratch = await mkdtemp(path.join(tmpdir(), 'sluice-preview-scratch-'));
    await writeFile(path.join(root, 'orders.csv'), ordersCsv);
    executions = 0;
    options = {
      workspaceRoot: root,
      scratchDir: scratch,
      cache: new PreviewCache(),
      execute: (plan, o) => {
        executions++;
        return executePlan(plan, o);
      },
    };
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('previews a mid-pipeline node: its rows and hand-computed statistics, writing no destination', async () => {
    const result = ok(await previewNode({ document: withPostgresSink(linearPipeline()), nodeId: 'keep_paid' }, options));
    expect(result.cached).toBe(false);
    expect(result.port).toBe('output');
    // status = paid AND amount >= 10: orders 1 and 3.
    expect(result.rows).toEqual([
      { order_id: 1, customer: 'alice', amount: 10.5, status: 'paid' },
      { order_id: 3, customer: 'carol, jr', amount: 150.25, status: 'paid' },
    ]);
    expect(result.totalRows).toBe(2);
    expect(result.sampled).toBe(false);
    expect(result.stats).toEqual([
      { name: 'order_id', type: 'integer', nulls: 0, distinct: 2, min: '1', max: '3' },
      { name: 'customer', type: 'string', nulls: 0, distinct: 2, min: 'alice', max: 'carol, jr' },
      { name: 'amount', type: 'float', nulls: 0, distinct: 2, min: '10.5', max: '150.25' },
      { name: 'status', type: 'string', nulls: 0, distinct: 1, min: 'paid', max: 'paid' },
    ]);
    // Neither the file destination nor anything else was written into the workspace; the scratch folder is gone.
    expect(await readdir(root)).toEqual(['orders.csv']);
    expect(await readdir(scratch)).toEqual([]);
    expect(executions).toBe(1);
  });

  it('answers again from the cache, also after a downstream node changed', async () => {
    const before = executions;
    const again = ok(await previewNode({ document: withPostgresSink(linearPipeline()), nodeId: 'keep_paid' }, options));
    expect(again.cached).toBe(true);
    expect(again.rows).toHaveLength(2);
    // Different columns kept downstream, another destination file, moved nodes: the same upstream.
    const edited = linearPipeline({ keep: ['order_id'], sink: { format: 'parquet', path: 'elsewhere.parquet' } });
    edited.nodes = edited.nodes.map((n) => ({ ...n, position: { x: n.position.x + 50, y: 3 }, label: 'moved' }));
    expect(subgraphKey(upstreamGraph(edited, 'keep_paid'), 10)).toBe(subgraphKey(upstreamGraph(linearPipeline(), 'keep_paid'), 10));
    expect(ok(await previewNode({ document: edited, nodeId: 'keep_paid' }, options)).cached).toBe(true);
    expect(executions).toBe(before);
  });

  it('recomputes when an upstream node or an input file changes', async () => {
    const before = executions;
    const upstreamEdit = linearPipeline({ rules: [{ column: 'status', op: 'eq', value: 'paid' }] });
    const changed = ok(await previewNode({ document: upstreamEdit, nodeId: 'keep_paid' }, options));
    expect(changed.cached).toBe(false);
    expect(changed.totalRows).toBe(3);
    await writeFile(path.join(root, 'orders.csv'), `${ordersCsv}\n6,fay,20,paid`);
    const grown = ok(await previewNode({ document: linearPipeline(), nodeId: 'keep_paid' }, options));
    expect(grown.cached).toBe(false);
    expect(grown.totalRows).toBe(3);
    expect(executions).toBe(before + 2);
    await writeFile(path.join(root, 'orders.csv'), ordersCsv);
  });

  it('honours the row limit and previews a destination as what flows into it', async () => {
    const limited = ok(await previewNode({ document: linearPipeline(), nodeId: 'keep_paid', limit: 1 }, options));
    expect(limited.rows).toEqual([{ order_id: 1, customer: 'alice', amount: 10.5, status: 'paid' }]);
    expect(limited.totalRows).toBe(2);
    const atSink = ok(await previewNode({ document: linearPipeline(), nodeId: 'out' }, options));
    expect(atSink.nodeId).toBe('cols');
    expect(atSink.columns.map((c) => c.name)).toEqual(['order_id', 'customer', 'amount']);
    expect(await readdir(root)).toEqual(['orders.csv']);
  });

  it('runs the sub-graph on a sample of each source', async () => {
    const result = ok(await previewNode({ document: linearPipeline({ rules: [] }), nodeId: 'src', limit: 2 }, { ...options, sampleRows: 3, cache: new PreviewCache() }));
    expect(result.totalRows).toBe(3);
    expect(result.rows).toHaveLength(2);
    expect(result.sampled).toBe(true);
  });

  it('returns the sub-graph diagnostics and ignores problems downstream', async () => {
    const broken = linearPipeline({ rules: [{ column: 'nope', op: 'eq', value: 'x' }] });
    const result = await previewNode({ document: broken, nodeId: 'keep_paid' }, options);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'UNKNOWN_COLUMN', nodeId: 'keep_paid' })]);
    // The same mistake below the previewed node does not stop it.
    expect(ok(await previewNode({ document: broken, nodeId: 'src' }, options)).totalRows).toBe(5);
  });

  it('refuses files outside the workspace', async () => {
    const parent = await previewNode({ document: linearPipeline({ sourcePath: '../elsewhere/orders.csv' }), nodeId: 'keep_paid' }, options);
    expect(parent).toMatchObject({ ok: false, diagnostics: [{ code: 'INVALID_CONFIG', nodeId: 'src' }] });
    const outside = path.join(scratch, 'secret.csv');
    await writeFile(outside, ordersCsv);
    await symlink(outside, path.join(root, 'link.csv'));
    try {
      await expect(previewNode({ document: linearPipeline({ sourcePath: 'link.csv' }), nodeId: 'keep_paid' }, options)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    } finally {
      await rm(path.join(root, 'link.csv'));
      await rm(outside);
    }
  });
});

describe('PreviewCache', () => {
  const data = (n: number): PreviewData => ({ nodeId: 'n', port: 'output', columns: [], rows: [], totalRows: n, stats: [], sampled: false, sampleRows: 1 });

  it('evicts the least recently used entry beyond its entry bound', () => {
    const cache = new PreviewCache({ maxEntries: 2, maxBytes: 1_000 });
    cache.set('a', data(1), { bytes: 10 });
    cache.set('b', data(2), { bytes: 10 });
    expect(cache.get('a')?.totalRows).toBe(1);
    cache.set('c', data(3), { bytes: 10 });
    expect([cache.get('a')?.totalRows, cache.get('b'), cache.get('c')?.totalRows]).toEqual([1, undefined, 3]);
    expect(cache.bytes).toBe(20);
  });

  it('stays under its byte bound, refuses an entry bigger than it, and drops expired entries', () => {
    const cache = new PreviewCache({ maxEntries: 10, maxBytes: 100 });
    cache.set('a', data(1), { bytes: 60 });
    cache.set('b', data(2), { bytes: 60 });
    expect([cache.get('a'), cache.get('b')?.totalRows, cache.bytes]).toEqual([undefined, 2, 60]);
    cache.set('huge', data(3), { bytes: 101 });
    expect([cache.get('huge'), cache.size]).toEqual([undefined, 1]);
    cache.set('soon', data(4), { bytes: 10, expiresAt: 1_000 });
    expect(cache.get('soon', 999)?.totalRows).toBe(4);
    expect(cache.get('soon', 1_000)).toBeUndefined();
    expect(cache.bytes).toBe(60);
  });
});

describe('pipeline.preview', () => {
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let alice: ReturnType<typeof createCaller>;
  let bob: ReturnType<typeof createCaller>;
  let aliceWorkspace: string;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-preview-api-'));
    const connectors = { keyring: { current: secretKeyFrom(generateSecretKey()) }, dataDir };
    alice = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'alice@example.com'), services: () => services, connectors });
    bob = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'bob@example.com'), services: () => services, connectors });
    aliceWorkspace = (await alice.workspace.current()).id;
    const files = workspaceDir(dataDir, aliceWorkspace);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
  });
  afterAll(async () => {
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("previews from the caller's workspace files, within the limit", async () => {
    const result = ok(await alice.pipeline.preview({ document: linearPipeline(), nodeId: 'cols', limit: 1 }));
    expect(result.rows).toEqual([{ order_id: 1, customer: 'alice', amount: 10.5 }]);
    await expect(alice.pipeline.preview({ document: linearPipeline(), nodeId: 'cols', limit: 1001 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("refuses another workspace's files", async () => {
    // Bob's workspace has no orders.csv, and a path into Alice's folder leads outside his own.
    await expect(bob.pipeline.preview({ document: linearPipeline(), nodeId: 'cols' })).rejects.toThrow(/does not exist/);
    const bobFiles = workspaceDir(dataDir, (await bob.workspace.current()).id);
    await mkdir(bobFiles, { recursive: true });
    await symlink(path.join(workspaceDir(dataDir, aliceWorkspace), 'orders.csv'), path.join(bobFiles, 'alice.csv'));
    await expect(bob.pipeline.preview({ document: linearPipeline({ sourcePath: 'alice.csv' }), nodeId: 'cols' })).rejects.toThrow(/outside/);
  });
});

describe('the sample pushed into source reads', () => {
  let root: string;
  let options: PreviewOptions;
  const goodLines = 200_000;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sluice-preview-pushdown-'));
    // Good lines, then one whose order_id is not an integer: a run of the whole file fails on it.
    const lines = ['order_id,customer,amount,status'];
    for (let i = 1; i <= goodLines; i++) lines.push(`${i},c${i},${i % 100}.5,${i % 3 === 0 ? 'paid' : 'pending'}`);
    lines.push('not-a-number,zed,1,paid');
    await writeFile(path.join(root, 'orders.csv'), lines.join('\n'));
    options = { workspaceRoot: root, scratchDir: root, cache: new PreviewCache(), sampleRows: 1_000 };
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("limits each file source's read in the preview's plan and leaves the compiled plan alone", async () => {
    const document = linearPipeline();
    const compiled = await analyzePipeline(previewDocument(document, upstreamGraph(document, 'keep_paid'), 50));
    const plan = compiled.plan!;
    const before = JSON.stringify(plan);
    const { plan: sampled, sampledStages } = pushSampleIntoSourceReads(plan, 50);
    expect([...sampledStages]).toEqual(['src']);
    const read = sampled.stages.find((s) => s.id === 'src')?.ops.find((op) => op.op === 'materialize');
    expect(read).toMatchObject({ op: 'materialize', query: { from: { t: 'readCsv' }, limit: 51 } });
    // Every other stage is the same object; the input plan is unchanged.
    for (const stage of sampled.stages.filter((s) => s.id !== 'src')) expect(stage).toBe(plan.stages.find((s) => s.id === stage.id));
    expect(JSON.stringify(plan)).toBe(before);
    expect(JSON.stringify(plan)).not.toContain('"limit":51');
  });

  it('reads only the start of the file: a malformed line far past the sample fails a run, not the preview', async () => {
    const document = linearPipeline({ rules: [{ column: 'status', op: 'eq', value: 'paid' }] });
    const result = ok(await previewNode({ document, nodeId: 'keep_paid', limit: 5 }, options));
    // The first 1,000 lines, a third of them paid.
    expect(result.totalRows).toBe(333);
    expect(result.rows.map((r) => r.order_id)).toEqual([3, 6, 9, 12, 15]);
    expect(result.stats.find((s) => s.name === 'order_id')).toMatchObject({ min: '3', max: '999' });
    expect(result.sampled).toBe(true);
    // The same source, run in full, reaches the malformed line.
    const run = await analyzePipeline(document);
    await expect(executePlan(run.plan!, { workspaceRoot: root, outputRoot: path.join(root, 'run-out'), tempDir: path.join(root, 'run-tmp'), policy: { retries: 0, onBranchFailure: 'stopAll' } })).rejects.toThrow(
      `Line ${goodLines + 2} of "orders.csv" is malformed`,
    );
  });

  it('says whether a source had more rows than the sample', async () => {
    const small = await mkdtemp(path.join(tmpdir(), 'sluice-preview-small-'));
    try {
      await writeFile(path.join(small, 'orders.csv'), ordersCsv);
      const preview = (sampleRows: number) => previewNode({ document: linearPipeline(), nodeId: 'src' }, { workspaceRoot: small, scratchDir: small, cache: new PreviewCache(), sampleRows });
      expect(ok(await preview(6))).toMatchObject({ totalRows: 5, sampled: false });
      expect(ok(await preview(4))).toMatchObject({ totalRows: 4, sampled: true });
    } finally {
      await rm(small, { recursive: true, force: true });
    }
  });
});
