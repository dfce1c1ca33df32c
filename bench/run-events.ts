// npm run bench:events — live run events and run throughput on PostgreSQL + Redis.
//
// 1. Latency: a worker-side publisher (its own Prisma client and Redis bus, as a
//    worker has) records 1,000 stage events through recordRunEvent; a real HTTP
//    client, signed in with a Better Auth session cookie, reads them from the
//    tRPC SSE stream at /api/trpc/run.events. Target: p95 < 250 ms.
// 2. Throughput: 200 trivial csv→file runs drained by 1, then 2 standalone
//    worker processes (`npm run worker`).
//
// The HTTP side serves the app's own route handlers (app/api/trpc, app/api/auth)
// from a plain node:http server in this process: `npm run serve` needs a
// `next build` first, which is minutes of CPU on a small machine; the handlers,
// database, Redis and workers are the real ones.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import pg from 'pg';
import { startWorkerProcess, type WorkerProcess } from '../server/testing/worker-process';

const postgresAdminUrl = process.env.SLUICE_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.SLUICE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LATENCY_EVENTS = 1_000;
/** Spacing between published events: a busy run, well above what real stages emit. */
const LATENCY_SPACING_MS = 5;
const THROUGHPUT_RUNS = 200;

type RequestHandler = (request: Request) => Promise<Response>;

/** Serves fetch-style route handlers over node:http, streaming response bodies (SSE). */
function serve(routes: [prefix: string, handler: RequestHandler][]) {
  // Filled in once the handlers are imported (after the port is known).
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const handler = routes.find(([prefix]) => url.pathname.startsWith(prefix))?.[1];
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
      const aborted = new AbortController();
      res.on('close', () => aborted.abort());
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(url, {
        method: req.method ?? 'GET',
        headers,
        signal: aborted.signal,
        ...(hasBody ? { body: Readable.toWeb(req), duplex: 'half' } : {}),
      } as RequestInit);
      const response = await handler(request);
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, key) => {
        if (key !== 'set-cookie') out[key] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) out['set-cookie'] = cookies;
      res.writeHead(response.status, out);
      res.flushHeaders();
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      }
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
}

/** A minimal tRPC-over-HTTP client (superjson-encoded, unbatched) with a session cookie. */
function trpcClient(base: string, cookie: string) {
  const unwrap = async (response: Response): Promise<unknown> => {
    const body = (await response.json()) as { result?: { data?: { json?: unknown } }; error?: unknown };
    if (!response.ok || !body.result) throw new Error(`tRPC ${response.url} answered ${response.status}: ${JSON.stringify(body.error)}`);
    return body.result.data?.json;
  };
  return {
    query: async (procedure: string, input?: unknown) =>
      unwrap(await fetch(`${base}/api/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`, { headers: { cookie } })),
    mutation: async (procedure: string, input: unknown) =>
      unwrap(await fetch(`${base}/api/trpc/${procedure}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) })),
  };
}

interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** Reads a text/event-stream body message by message. */
async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue; // comment
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') message.data += (message.data ? '\n' : '') + value;
        else if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
      }
      yield message;
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  // A fresh database and data folder, a private queue prefix: what a first `npm run serve` sees.
  const dbName = `sluice_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const databaseUrl = Object.assign(new URL(postgresAdminUrl), { pathname: `/${dbName}` }).toString();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-'));
  const prefix = `sluice-bench-${randomBytes(4).toString('hex')}`;
  const routes: [string, RequestHandler][] = [];
  const server = serve(routes);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // Better Auth trusts the origin it is configured with (http://localhost:PORT).
  Object.assign(process.env, { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, SLUICE_QUEUE_PREFIX: prefix, SLUICE_DATA_DIR: dataDir, SLUICE_EMBEDDED_WORKER: '0', PORT: String(port) });

  // Imported after the environment is set: env() is read once per process.
  const { openDatabase } = await import('../server/db/open');
  const { setProcessDatabase } = await import('../server/db/database');
  const { services } = await import('../server/runtime/services');
  const { createRedisEventBus } = await import('../server/runs/events');
  const { recordRunEvent } = await import('../server/runs/recorder');
  const { workspaceDir } = await import('../server/engine/files');
  const { linearPipeline, ordersCsv } = await import('../server/testing/pipelines');
  const trpcRoute = await import('../app/api/trpc/[trpc]/route');
  const authRoute = await import('../app/api/auth/[...all]/route');

  const db = await openDatabase({ kind: 'postgres', url: databaseUrl });
  await db.migrate();
  setProcessDatabase(db);
  routes.push(['/api/trpc', trpcRoute.GET], ['/api/auth', authRoute.GET]);
  const base = `http://127.0.0.1:${port}`;
  const origin = `http://localhost:${port}`;
  const workers: WorkerProcess[] = [];

  try {
    const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ email: 'bench@example.com', password: 'correct horse battery', name: 'bench' }),
    });
    if (!signUp.ok) throw new Error(`sign-up answered ${signUp.status}: ${await signUp.text()}`);
    const cookie = signUp.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const trpc = trpcClient(base, cookie);
    const workspace = (await trpc.query('workspace.current')) as { id: string };
    const files = workspaceDir(dataDir, workspace.id);
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'orders.csv'), ordersCsv);
    const { id: pipelineId } = (await trpc.mutation('pipeline.create', { name: 'bench' })) as { id: string };
    await trpc.mutation('pipeline.save', { id: pipelineId, document: linearPipeline({ sink: { format: 'csv', path: 'out/paid.csv' } }), baseVersion: 0 });

    // --- Latency: worker-side recordRunEvent → SSE client -----------------
    await services().queue.pause();
    const { runId } = (await trpc.mutation('run.start', { pipelineId })) as { runId: string };
    // No worker executes this run: the events come from the publisher below.
    await services().queue.obliterate({ force: true });
    await db.prisma.run.update({ where: { id: runId }, data: { status: 'running', attempts: 1, heartbeatAt: new Date() } });

    const stream = await fetch(`${base}/api/trpc/run.events?input=${encodeURIComponent(JSON.stringify({ json: { runId } }))}`, { headers: { cookie, accept: 'text/event-stream' } });
    if (!stream.ok || !stream.body) throw new Error(`run.events answered ${stream.status}`);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let warmedUp: () => void = () => undefined;
    const warm = new Promise<void>((resolve) => (warmedUp = resolve));
    const reading = (async () => {
      for await (const message of readSse(stream.body as ReadableStream<Uint8Array>)) {
        if (!message.data || message.event !== 'message') continue;
        const payload = (JSON.parse(message.data) as { json?: { type?: string; stageId?: string; status?: string } }).json;
        if (payload?.type === 'stage' && payload.stageId === 'warm-up') warmedUp();
        const sent = payload?.stageId ? sentAt.get(payload.stageId) : undefined;
        if (sent !== undefined) latencies.push(performance.now() - sent);
        if (payload?.type === 'run' && payload.status === 'succeeded') return;
      }
    })();

    // The publisher has its own database client and Redis connection, like a worker process.
    const workerDb = await openDatabase({ kind: 'postgres', url: databaseUrl });
    const workerBus = createRedisEventBus(redisUrl, prefix);
    const stage = (stageId: string) => ({ type: 'stage' as const, stageId, nodeIds: ['src'], status: 'running' as const });
    await recordRunEvent(workerDb.prisma, workerBus, runId, stage('warm-up'));
    await warm;
    const started = performance.now();
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const due = started + i * LATENCY_SPACING_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const stageId = `s${i}`;
      sentAt.set(stageId, performance.now());
      await recordRunEvent(workerDb.prisma, workerBus, runId, stage(stageId));
    }
    await db.prisma.run.update({ where: { id: runId }, data: { status: 'succeeded', finishedAt: new Date() } });
    await recordRunEvent(workerDb.prisma, workerBus, runId, { type: 'run', status: 'succeeded' });
    await reading;
    await workerBus.close();
    await workerDb.close();
    const sorted = [...latencies].sort((a, b) => a - b);

    // --- Throughput: trivial runs drained by standalone workers ------------
    const workerEnv = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, SLUICE_QUEUE_PREFIX: prefix, SLUICE_DATA_DIR: dataDir, SLUICE_WORKER_CONCURRENCY: '2' };
    const throughput: { workers: number; seconds: number; perSecond: number; succeeded: number }[] = [];
    for (const count of [1, 2]) {
      await services().queue.pause();
      const runIds: string[] = [];
      for (let i = 0; i < THROUGHPUT_RUNS; i++) runIds.push(((await trpc.mutation('run.start', { pipelineId })) as { runId: string }).runId);
      workers.length = 0;
      for (let i = 0; i < count; i++) workers.push(startWorkerProcess(workerEnv));
      await Promise.all(workers.map((w) => w.ready));
      const t0 = performance.now();
      await services().queue.resume();
      let done = 0;
      while (done < THROUGHPUT_RUNS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        done = await db.prisma.run.count({ where: { id: { in: runIds }, status: { notIn: ['queued', 'running'] } } });
      }
      const seconds = (performance.now() - t0) / 1000;
      const succeeded = await db.prisma.run.count({ where: { id: { in: runIds }, status: 'succeeded' } });
      throughput.push({ workers: count, seconds, perSecond: THROUGHPUT_RUNS / seconds, succeeded });
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }

    console.log(`\nLive run events: ${latencies.length}/${LATENCY_EVENTS} stage events, one every ${LATENCY_SPACING_MS} ms, recordRunEvent → SSE client`);
    console.table({ latency: { p50_ms: +percentile(sorted, 50).toFixed(1), p95_ms: +percentile(sorted, 95).toFixed(1), max_ms: +(sorted.at(-1) ?? NaN).toFixed(1), target_p95_ms: 250 } });
    console.log(`Throughput: ${THROUGHPUT_RUNS} trivial csv→file runs, standalone workers (concurrency 2 each)`);
    console.table(throughput.map((t) => ({ workers: t.workers, seconds: +t.seconds.toFixed(2), runs_per_s: +t.perSecond.toFixed(2), succeeded: t.succeeded })));
    if (latencies.length !== LATENCY_EVENTS) process.exitCode = 1;
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    server.closeAllConnections();
    server.close();
    await services().queue.obliterate({ force: true }).catch(() => undefined);
    await services().queue.close();
    await services().scheduleQueue.close();
    await services().bus.close();
    await db.close();
    const drop = new pg.Client({ connectionString: postgresAdminUrl });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await drop.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
