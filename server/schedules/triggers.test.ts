// Triggers, webhooks, backfills and parameters end to end: a real run worker,
// Redis and PostgreSQL.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunWorker, type RunWorker } from '../../workers/run-worker';
import { createCaller } from '../api/root';
import { workspaceDir } from '../engine/files';
import type { VisualPipeline } from '../pipeline/model';
import { openTestDatabase, signUpTestUser, type TestDatabase } from '../testing/db';
import { linearPipeline, ordersCsv } from '../testing/pipelines';
import { createTestServices, type TestServices } from '../testing/services';
import { handleWebhook } from './webhooks';
import { until } from '../testing/wait';


/** orders.csv → keep amount ≥ {{params.min}} → derive amount × {{params.factor}} → out/{{params.day}}.csv */
function parameterisedPipeline(): VisualPipeline {
  const doc = linearPipeline({ rules: [{ column: 'amount', op: 'gte', value: '{{params.min}}' }], sink: { format: 'csv', path: 'out/{{params.day}}.csv' } });
  doc.nodes.push({ id: 'scaled', kind: 'derive-columns', version: 1, position: { x: 0, y: 0 }, config: { columns: [{ name: 'scaled', expression: 'amount * {{params.factor}}' }] } });
  doc.edges = doc.edges.filter((e) => e.id !== 'e3');
  doc.edges.push(
    { id: 'e3', source: { node: 'cols', port: 'output' }, target: { node: 'scaled', port: 'input' } },
    { id: 'e4', source: { node: 'scaled', port: 'output' }, target: { node: 'out', port: 'input' } },
  );
  doc.parameters = [
    { name: 'day', type: 'date' },
    { name: 'min', type: 'integer', default: 0 },
    { name: 'factor', type: 'float', default: 1 },
  ];
  return doc;
}

describe('triggers, webhooks, backfills and parameters', () => {
  let db: TestDatabase;
  let services: TestServices;
  let worker: RunWorker;
  let dataDir: string;
  let files: string;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-triggers-'));
    const user = await signUpTestUser(db.prisma, 'triggers@example.com');
    caller = createCaller({ db: db.prisma, user, services: () => services });
    files = workspaceDir(dataDir, (await caller.workspace.current()).id);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
    worker = await startRunWorker({ db: db.prisma, bus: services.bus, redisUrl: services.redisUrl, prefix: services.prefix, dataDir, concurrency: 4, mode: 'embedded', reconcileIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await worker.close(1_000);
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function savePipeline(document: VisualPipeline, name = 'p'): Promise<string> {
    const { id } = await caller.pipeline.create({ name });
    await caller.pipeline.save({ id, document, baseVersion: 0 });
    return id;
  }
  const finished = (runId: string) => until(`run ${runId} finishes`, async () => !['queued', 'running'].includes((await caller.run.get({ runId })).status), 60_000);

  it('types parameter values, substitutes them into text and SQL, and stores them on the run', async () => {
    const pipelineId = await savePipeline(parameterisedPipeline());
    const { runId } = await caller.run.start({ pipelineId, parameters: { day: '2024-02-29', min: '100', factor: 2.5 } });
    await finished(runId);
    const run = await caller.run.get({ runId });
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', parameters: { day: '2024-02-29', min: 100, factor: 2.5 } });
    const csv = await readFile(path.join(files, 'out/2024-02-29.csv'), 'utf8');
    expect(csv.trim().split('\n')).toEqual(['order_id,customer,amount,scaled', '3,"carol, jr",150.25,375.625', '5,émile,250.0,625.0']);
  });

  it('keeps parameter declarations when the canvas saves a document without them', async () => {
    const pipelineId = await savePipeline(linearPipeline());
    await caller.schedule.setParameters({ pipelineId, parameters: [{ name: 'day', type: 'date', default: '2024-01-01' }] });
    const v2 = await caller.pipeline.get({ id: pipelineId });
    await caller.pipeline.save({ id: pipelineId, document: { ...linearPipeline(), nodes: linearPipeline().nodes.slice(0, 3) }, baseVersion: v2.latestVersion });
    const v3 = await caller.pipeline.get({ id: pipelineId });
    expect(v3.latestVersion).toBe(3);
    expect(v3.document.parameters).toEqual([{ name: 'day', type: 'date', default: '2024-01-01' }]);
    expect((await caller.schedule.list({ pipelineId })).parameters).toEqual([{ name: 'day', type: 'date', default: '2024-01-01' }]);
  });

  it('refuses bad parameter values at start, naming the parameter', async () => {
    const pipelineId = await savePipeline(parameterisedPipeline());
    await expect(caller.run.start({ pipelineId, parameters: { day: '2024-02-30' } })).rejects.toThrow(/Parameter "day" expects a date as YYYY-MM-DD, got "2024-02-30"/);
    await expect(caller.run.start({ pipelineId, parameters: { day: '2024-01-01', min: '1.5' } })).rejects.toThrow(/Parameter "min" expects a whole number/);
    await expect(caller.run.start({ pipelineId, parameters: {} })).rejects.toThrow(/Parameter "day" needs a value/);
    await expect(caller.run.start({ pipelineId, parameters: { day: '2024-01-01', dya: 'x' } })).rejects.toThrow(/Parameter "dya" is not declared by this pipeline \(it declares day, min, factor\)/);
    expect(await db.prisma.run.count({ where: { pipelineId } })).toBe(0);
  });

  it('keeps a text value from changing the SQL it is placed in', async () => {
    const doc = parameterisedPipeline();
    doc.parameters?.push({ name: 'who', type: 'string', default: "x' OR true OR '" });
    const derive = doc.nodes.find((n) => n.id === 'scaled');
    if (derive) derive.config = { columns: [{ name: 'scaled', expression: 'customer = {{params.who}}' }] };
    const { runId } = await caller.run.start({ pipelineId: await savePipeline(doc), parameters: { day: '2024-03-01' } });
    await finished(runId);
    expect((await caller.run.get({ runId })).status).toBe('succeeded');
    const rows = (await readFile(path.join(files, 'out/2024-03-01.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(rows.every((r) => r.endsWith(',false'))).toBe(true);

    // Inside quotes a placeholder is refused instead of pasted.
    if (derive) derive.config = { columns: [{ name: 'scaled', expression: "customer = '{{params.who}}'" }] };
    const quoted = await caller.run.start({ pipelineId: await savePipeline(doc), parameters: { day: '2024-03-02' } });
    await finished(quoted.runId);
    const failed = await caller.run.get({ runId: quoted.runId });
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'PIPELINE_INVALID', errorNodeId: 'scaled' });
    expect(failed.errorMessage).toMatch(/\{\{params\.who\}\} must stand alone as a value in SQL/);
  });

  it('runs B when A succeeds, once, and refuses self-triggers and loops', async () => {
    const a = await savePipeline(linearPipeline({ sink: { format: 'csv', path: 'out/a.csv' } }), 'A');
    const b = await savePipeline(linearPipeline({ sink: { format: 'csv', path: 'out/b.csv' } }), 'B');
    const c = await savePipeline(linearPipeline({ sink: { format: 'csv', path: 'out/c.csv' } }), 'C');
    await caller.schedule.createTrigger({ upstreamPipelineId: a, downstreamPipelineId: b });
    await caller.schedule.createTrigger({ upstreamPipelineId: b, downstreamPipelineId: c });
    await expect(caller.schedule.createTrigger({ upstreamPipelineId: a, downstreamPipelineId: a })).rejects.toThrow('A pipeline cannot trigger itself');
    await expect(caller.schedule.createTrigger({ upstreamPipelineId: c, downstreamPipelineId: a })).rejects.toThrow('This trigger would make a loop: A → B → C → A');

    const { runId } = await caller.run.start({ pipelineId: a });
    await finished(runId);
    await until('C ran', async () => (await db.prisma.run.count({ where: { pipelineId: c, status: 'succeeded' } })) === 1, 60_000);
    const bRun = await db.prisma.run.findFirstOrThrow({ where: { pipelineId: b } });
    expect(bRun).toMatchObject({ trigger: 'pipeline', triggeredByRunId: runId, status: 'succeeded' });
    expect(await db.prisma.run.count({ where: { pipelineId: { in: [b, c] } } })).toBe(2);
  });

  it('authenticates webhooks: good token 202, wrong or rotated token 401, no webhook 404, busy 429', async () => {
    const pipelineId = await savePipeline(parameterisedPipeline());
    const call = (token: string | null, body = '', maxQueued?: number) => handleWebhook(db.prisma, services.queue, { pipelineId, authorization: token === null ? null : `Bearer ${token}`, body }, maxQueued);

    expect((await call('slk_anything')).status).toBe(404);
    const { token: first } = await caller.schedule.issueWebhookToken({ pipelineId });
    expect(await db.prisma.pipelineWebhook.findUniqueOrThrow({ where: { pipelineId } })).not.toHaveProperty('token');
    expect(JSON.stringify(await db.prisma.pipelineWebhook.findUniqueOrThrow({ where: { pipelineId } }))).not.toContain(first);

    const ok = await call(first, JSON.stringify({ parameters: { day: '2024-05-01', min: 5 } }));
    expect(ok.status).toBe(202);
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: String(ok.body.runId) } });
    expect(run).toMatchObject({ trigger: 'webhook', parameters: { day: '2024-05-01', min: 5, factor: 1 } });

    expect((await call(null)).status).toBe(401);
    expect((await call(`${first}x`)).status).toBe(401);
    expect((await call(first, JSON.stringify({ parameters: { day: 'soon' } }))).body).toMatchObject({ error: { code: 'BAD_INPUT', message: expect.stringContaining('Parameter "day"') as string } });
    expect((await call(first, '{not json')).status).toBe(400);
    expect((await call(first, JSON.stringify({ parameters: { day: '2024-05-01' } }), 0)).status).toBe(429);

    const { token: second } = await caller.schedule.issueWebhookToken({ pipelineId });
    expect((await call(first, JSON.stringify({ parameters: { day: '2024-05-02' } }))).status).toBe(401);
    expect((await call(second, JSON.stringify({ parameters: { day: '2024-05-02' } }))).status).toBe(202);
  });

  it('backfills one run per day with the day as a parameter, at most K running at once', async () => {
    const pipelineId = await savePipeline(parameterisedPipeline());
    const { runIds } = await caller.schedule.createBackfill({ pipelineId, start: new Date('2024-01-01'), end: new Date('2024-01-06'), granularity: 'day', parameterName: 'day', maxConcurrentRuns: 2, parameters: { min: 10 } });
    expect(runIds).toHaveLength(6);
    await until('the backfill finishes', async () => (await db.prisma.run.count({ where: { id: { in: runIds }, status: { in: ['queued', 'running'] } } })) === 0, 120_000);
    const runs = await db.prisma.run.findMany({ where: { id: { in: runIds } }, select: { status: true, startedAt: true, finishedAt: true, parameters: true } });
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(runs.map((r) => (r.parameters as { day: string }).day).sort()).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06']);
    // Largest number of runs executing at one moment, from their start and finish times.
    const events = runs.flatMap((r) => [{ at: r.startedAt?.getTime() ?? 0, d: 1 }, { at: r.finishedAt?.getTime() ?? 0, d: -1 }]).sort((x, y) => x.at - y.at || x.d - y.d);
    let live = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (live += e.d));
    expect(most).toBeLessThanOrEqual(2);
    for (const day of ['2024-01-01', '2024-01-06']) expect(await readFile(path.join(files, `out/${day}.csv`), 'utf8')).toContain('carol');
    await expect(caller.schedule.createBackfill({ pipelineId, start: new Date('2024-01-01'), end: new Date('2024-01-02'), granularity: 'hour', parameterName: 'day', maxConcurrentRuns: 1 })).rejects.toThrow(/Parameter "day" has type date; hourly partitions need timestamp, string/);
  }, 150_000);
});
