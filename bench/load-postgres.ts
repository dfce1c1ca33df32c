// npm run bench:load [-- 1000000 2000000 4000000] — loads N orders
// CSV → cleaned → PostgreSQL with the real engine (compile + executePlan into
// a postgres-sink) and, as the floor, the same load hand-written: DuckDB
// read_csv → the same cleaning in one SQL query → COPY to a CSV file →
// PostgreSQL COPY FROM STDIN (pg-copy-streams). Target (issue 4): Sluice within
// 1.3× of the floor's wall time, peak memory flat as N grows.
//
// Each measurement runs in a fresh child process, so its peak RSS (VmHWM, which
// includes DuckDB's native memory) belongs to that load alone. Data comes from
// /work/shared/data/generate-orders.mjs into bench/.data/ (see bench/README.md).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { compile } from '../server/compiler/compile';
import type { ConnectionResolver, ConnectionSettings } from '../server/connectors/connection';
import { loadTestHooks, type LoadCheckpoint } from '../server/connectors/load';
import { defaultMemoryLimitMb } from '../server/engine/duckdb';
import { executePlan, type StageEvent } from '../server/engine/execute';
import { FORMAT_VERSION, type VisualPipeline } from '../server/pipeline/model';
import type { Column } from '../server/pipeline/types';
import { chainEdges, csvSourceNode } from '../server/testing/pipelines';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.join(benchDir, '.data');
const postgres: Extract<ConnectionSettings, { type: 'postgres' }> = { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: '', ssl: 'disable' };
const SAMPLE_MS = 20;
/** Runs per side and size (BENCH_REPEATS); the table shows medians. */
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
/** DuckDB's memory cap for both sides: SLUICE_DUCKDB_MEMORY_MB as a worker would use it, else the engine's default. */
const memoryLimitMb = process.env.SLUICE_DUCKDB_MEMORY_MB ? Number(process.env.SLUICE_DUCKDB_MEMORY_MB) : defaultMemoryLimitMb();

/** The generator's orders.csv; amount stays text so malformed values reach the cleaning instead of failing the read. */
const ordersColumns: Column[] = [
  { name: 'order_id', type: 'integer' },
  { name: 'customer_id', type: 'integer' },
  { name: 'order_ts', type: 'timestamp' },
  { name: 'country', type: 'string' },
  { name: 'status', type: 'string' },
  { name: 'amount', type: 'string' },
  { name: 'email', type: 'string' },
];

const ordersFile = (n: number) => path.join(dataDir, `${n / 1_000_000}m`, 'orders.csv');

/** csv-source → clean-text (trim + lower status and email) → cast amount (reject bad rows) → amount ≥ 0 → one row per order_id → postgres-sink append. */
function loadPipeline(relativePath: string, schema: string, table: string): VisualPipeline {
  const at = (x: number) => ({ x, y: 0 });
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      csvSourceNode('orders', relativePath, ordersColumns, { onMalformedRow: 'fail' }),
      {
        id: 'clean',
        kind: 'clean-text',
        version: 1,
        position: at(200),
        config: {
          steps: [
            { column: 'status', operation: 'trim' },
            { column: 'status', operation: 'lower' },
            { column: 'email', operation: 'trim' },
            { column: 'email', operation: 'lower' },
          ],
        },
      },
      { id: 'typed', kind: 'cast-columns', version: 1, position: at(400), config: { casts: [{ column: 'amount', to: 'float' }], onError: 'reject' } },
      { id: 'non_negative', kind: 'filter', version: 1, position: at(600), config: { combinator: 'and', rules: [{ column: 'amount', op: 'gte', value: '0' }] } },
      { id: 'unique', kind: 'deduplicate', version: 1, position: at(800), config: { keys: ['order_id'], keep: 'first', orderBy: '' } },
      { id: 'load', kind: 'postgres-sink', version: 1, position: at(1000), config: { connectionId: 'bench-postgres', schema, table, mode: 'append' } },
    ],
    edges: chainEdges(['orders', 'clean', 'typed', 'non_negative', 'unique', 'load']),
  };
}

interface Measurement {
  side: 'sluice' | 'floor';
  rows: number;
  wallS: number;
  /** Largest process.memoryUsage().rss seen while loading. */
  sampledRssMb: number;
  /** The kernel's high-water mark of the process's RSS (VmHWM), native allocations included. */
  hwmMb: number;
  /** Seconds per stage (Sluice) or per step (floor). */
  phases: Record<string, number>;
}

function vmHwmMb(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: postgres.host, port: postgres.port, database: postgres.database, user: postgres.user });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function runSluice(n: number, schema: string, table: string, phases: Record<string, number>): Promise<number> {
  const result = compile(loadPipeline(path.relative(dataDir, ordersFile(n)), schema, table));
  if (!result.plan) throw new Error(`benchmark pipeline does not compile: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
  const connections: ConnectionResolver = () => Promise.resolve(postgres);
  const started = new Map<string, number>();
  const onStage = (e: StageEvent) => {
    if (e.status === 'running') started.set(e.stageId, performance.now());
    else if (e.status === 'succeeded') phases[`${e.stageId} [${e.nodeIds.join('+')}]`] = (performance.now() - (started.get(e.stageId) ?? 0)) / 1000;
  };
  // The sink stage's own split: claiming and locking, then DuckDB export + COPY, then merge/ledger/commit.
  const marks: Partial<Record<LoadCheckpoint, number>> = {};
  loadTestHooks.onCheckpoint = (name) => void (marks[name] = performance.now());
  let deadLetters = 0;
  const outcome = await executePlan(result.plan, {
    workspaceRoot: dataDir,
    tempDir: await mkdtemp(path.join(tmpdir(), 'sluice-bench-')),
    memoryLimitMb,
    connections,
    onStage,
    // A real run stores these; the benchmark only counts them.
    onRejects: (batch) => {
      deadLetters += batch.rows.length;
    },
  });
  delete loadTestHooks.onCheckpoint;
  const loadStarted = started.get('load');
  if (loadStarted !== undefined && marks.claimed !== undefined) phases['sink until claimed'] = (marks.claimed - loadStarted) / 1000;
  if (marks.claimed !== undefined && marks['after-copy'] !== undefined) phases['sink export+COPY'] = (marks['after-copy'] - marks.claimed) / 1000;
  if (marks['after-copy'] !== undefined && marks['after-commit'] !== undefined) phases['sink commit'] = (marks['after-commit'] - marks['after-copy']) / 1000;
  phases.deadLetters = deadLetters;
  return outcome.rowsWritten;
}

/** The same cleaning as the pipeline, hand-written for DuckDB. */
function floorQuery(file: string): string {
  const columns = ordersColumns.map((c) => `'${c.name}': '${c.type === 'integer' ? 'BIGINT' : c.type === 'timestamp' ? 'TIMESTAMP' : 'VARCHAR'}'`).join(', ');
  return `SELECT order_id, customer_id, order_ts, country, status, amount, email FROM (
      SELECT order_id, customer_id, order_ts, country, lower(trim(status)) AS status, TRY_CAST(amount AS DOUBLE) AS amount, lower(trim(email)) AS email
      FROM read_csv('${file.replace(/'/g, "''")}', header = true, columns = {${columns}})
    ) AS cleaned
    WHERE amount >= 0
    QUALIFY row_number() OVER (PARTITION BY order_id) = 1`;
}

async function runFloor(n: number, schema: string, table: string, phases: Record<string, number>): Promise<number> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'floor-bench-'));
  // The engine's DuckDB settings, so memory is compared like for like.
  const duck = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: `${memoryLimitMb}MiB`, temp_directory: scratch });
  const conn = await duck.connect();
  const csv = path.join(scratch, 'batch.csv');
  try {
    let t = performance.now();
    const exported = await conn.run(`COPY (${floorQuery(ordersFile(n))}) TO '${csv}' (FORMAT csv, HEADER false)`);
    phases['duckdb read+clean+export'] = (performance.now() - t) / 1000;
    t = performance.now();
    await withDatabase(async (client) => {
      await client.query('BEGIN');
      await client.query(`CREATE TABLE "${schema}"."${table}" (order_id bigint, customer_id bigint, order_ts timestamp, country text, status text, amount double precision, email text)`);
      await pipeline(createReadStream(csv), client.query(copyFrom(`COPY "${schema}"."${table}" FROM STDIN WITH (FORMAT csv)`)));
      await client.query('COMMIT');
    });
    phases['postgres COPY'] = (performance.now() - t) / 1000;
    return exported.rowsChanged;
  } finally {
    conn.closeSync();
    duck.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Child process: one load into a fresh schema, dropped afterwards; prints the measurement as JSON. */
async function measure(side: 'sluice' | 'floor', n: number): Promise<void> {
  const schema = `bench_load_${randomBytes(5).toString('hex')}`;
  const table = 'orders';
  await withDatabase((c) => c.query(`CREATE SCHEMA "${schema}"`));
  let sampledRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
  }, SAMPLE_MS);
  const phases: Record<string, number> = {};
  try {
    const start = performance.now();
    const written = await (side === 'sluice' ? runSluice : runFloor)(n, schema, table, phases);
    const wallS = (performance.now() - start) / 1000;
    clearInterval(sampler);
    sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
    const rows = await withDatabase(async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}"`)).rows[0]?.n));
    if (rows !== written) throw new Error(`${side} reported ${written} rows but the table holds ${rows}`);
    const m: Measurement = { side, rows, wallS, sampledRssMb: sampledRss / 2 ** 20, hwmMb: vmHwmMb(), phases };
    process.stdout.write(`${JSON.stringify(m)}\n`);
  } finally {
    clearInterval(sampler);
    await withDatabase((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
}

function inChild(side: 'sluice' | 'floor', n: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', side, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${side} ${n} exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as Measurement);
    });
  });
}

const fmt = (v: number, digits = 1) => v.toFixed(digits);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/** The medians of one side's runs, field by field (rows are the same in each). */
function medianOf(runs: Measurement[]): Measurement {
  const first = runs[0];
  if (!first) throw new Error('no runs to summarise');
  return { ...first, wallS: median(runs.map((r) => r.wallS)), hwmMb: median(runs.map((r) => r.hwmMb)), sampledRssMb: median(runs.map((r) => r.sampledRssMb)) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--measure') {
    await measure(args[1] === 'floor' ? 'floor' : 'sluice', Number(args[2]));
    return;
  }
  const sizes = args.length > 0 ? args.map(Number) : [1_000_000, 2_000_000];
  for (const n of sizes) {
    if (!existsSync(ordersFile(n))) throw new Error(`${ordersFile(n)} is missing; generate it first (see bench/README.md)`);
  }
  const rows: string[] = [];
  for (const n of sizes) {
    // Floor, then Sluice, alternating, REPEATS times: both read the same file
    // from a warm page cache, and the median of each side damps the noise of a
    // shared machine (PostgreSQL's checkpoints, other jobs).
    const floors: Measurement[] = [];
    const sluices: Measurement[] = [];
    for (let i = 0; i < REPEATS; i++) {
      floors.push(await inChild('floor', n));
      sluices.push(await inChild('sluice', n));
    }
    for (const m of [...floors, ...sluices]) console.log(`N=${n} ${m.side}: ${m.rows} rows in ${fmt(m.wallS, 2)} s, peak ${fmt(m.hwmMb, 0)} MB; ${Object.entries(m.phases).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')}`);
    const floor = medianOf(floors);
    const sluice = medianOf(sluices);
    if (floor.rows !== sluice.rows) console.warn(`N=${n}: Sluice loaded ${sluice.rows} rows, the floor ${floor.rows}`);
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${fmt(sluice.wallS, 2)} | ${fmt(floor.wallS, 2)} | ${fmt(sluice.wallS / floor.wallS, 2)} | ${Math.round(sluice.rows / sluice.wallS).toLocaleString('en-US')} | ${fmt(sluice.hwmMb, 0)} (${fmt(sluice.sampledRssMb, 0)}) | ${fmt(floor.hwmMb, 0)} (${fmt(floor.sampledRssMb, 0)}) |`,
    );
  }
  console.log(`\nDuckDB memory limit: ${memoryLimitMb} MiB on both sides; medians of ${REPEATS} runs each.`);
  console.log('Peak RSS: VmHWM in MB (largest sampled process.memoryUsage().rss in brackets). Target: ratio ≤ 1.3, peak flat in N.');
  console.log('| N | Sluice wall s | floor wall s | ratio | Sluice rows/s | Sluice peak RSS MB | floor peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
