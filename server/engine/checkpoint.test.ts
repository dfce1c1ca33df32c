// Checkpoints and resuming on real DuckDB: a run that ends with failures keeps
// what its unfinished stages need; a resumed run reuses the finished stages
// (their source file is deleted first, so executing one would fail) and writes
// exactly what a clean run writes.
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionPlan } from '../compiler/compile';
import { planHash } from '../compiler/plan-hash';
import { AppError } from '../errors';
import { FORMAT_VERSION, type VisualPipeline } from '../pipeline/model';
import { ordersColumns, ordersCsv } from '../testing/pipelines';
import { analyzePipeline } from './analyze';
import { CHECKPOINT_FORMAT, openCheckpoint, type CheckpointManifest, type CheckpointOutcome, type OpenedCheckpoint } from './checkpoint';
import { executePlan, type ExecuteOptions, type ExecutionResult, type StageEvent } from './execute';

const HUGE = '170141183460469231731687303715884105727';

let root: string;
let workspace: string;
let checkpoints: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-checkpoint-'));
  workspace = path.join(root, 'files');
  checkpoints = path.join(root, 'checkpoints');
  await mkdir(workspace, { recursive: true });
  await writeFile(path.join(workspace, 'orders.csv'), ordersCsv);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * orders.csv → paid orders with a HUGEINT column (SQL) → one file sink per
 * entry of `sinks`, each writing `<folder>/paid.csv`.
 */
function fanOut(sinks: string[]): VisualPipeline {
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: 'orders.csv', delimiter: ',', quote: '"', escape: '"', header: true, columns: ordersColumns } },
      { id: 'paid', kind: 'sql', version: 1, position: { x: 0, y: 0 }, config: { sql: `SELECT order_id, customer, amount, ${HUGE}::HUGEINT - order_id AS big FROM input_1 WHERE status = 'paid'` } },
      ...sinks.map((folder) => ({ id: `out_${folder}`, kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: `${folder}/paid.csv` } })),
    ],
    edges: [
      { id: 'e0', source: { node: 'src', port: 'output' }, target: { node: 'paid', port: 'input_1' } },
      ...sinks.map((folder) => ({ id: `e_${folder}`, source: { node: 'paid', port: 'output' }, target: { node: `out_${folder}`, port: 'input' } })),
    ],
  };
}

async function planOf(doc: VisualPipeline): Promise<ExecutionPlan> {
  const result = await analyzePipeline(doc, { tempDir: path.join(root, 'analyze') });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.plan) throw new Error('no plan');
  return result.plan;
}

interface Observed {
  events: StageEvent[];
  outcomes: CheckpointOutcome[];
  result?: ExecutionResult;
  error?: unknown;
}

async function execute(plan: ExecutionPlan, o: { checkpointDir?: string; resume?: OpenedCheckpoint; extra?: Partial<ExecuteOptions> } = {}): Promise<Observed> {
  const observed: Observed = { events: [], outcomes: [] };
  try {
    observed.result = await executePlan(plan, {
      workspaceRoot: workspace,
      tempDir: path.join(root, 'tmp', String(Math.random()).slice(2)),
      onStage: (e) => void observed.events.push(e),
      ...(o.checkpointDir ? { checkpoint: { dir: o.checkpointDir, onOutcome: (outcome: CheckpointOutcome) => void observed.outcomes.push(outcome) } } : {}),
      ...(o.resume ? { resume: o.resume } : {}),
      ...o.extra,
    });
  } catch (error) {
    observed.error = error;
  }
  return observed;
}

const statuses = (events: StageEvent[]) => events.filter((e) => e.status !== 'running').map((e) => [e.stageId, e.status]);
const exists = (p: string) => access(p).then(() => true, () => false);
const block = (folder: string) => writeFile(path.join(workspace, folder), 'a file where a folder should be');
const unblock = (folder: string) => rm(path.join(workspace, folder), { force: true });

/** What a run without failures writes for the same pipeline, in a workspace of its own. */
async function cleanOutput(sinks: string[], folder: string): Promise<string> {
  const cleanRoot = await mkdtemp(path.join(tmpdir(), 'sluice-clean-'));
  try {
    await writeFile(path.join(cleanRoot, 'orders.csv'), ordersCsv);
    await executePlan(await planOf(fanOut(sinks)), { workspaceRoot: cleanRoot, tempDir: path.join(cleanRoot, '.tmp') });
    return await readFile(path.join(cleanRoot, folder, 'paid.csv'), 'utf8');
  } finally {
    await rm(cleanRoot, { recursive: true, force: true });
  }
}

describe('a run that ends with failures', () => {
  it('keeps nothing when it succeeds', async () => {
    const dir = path.join(checkpoints, 'ok');
    const run = await execute(await planOf(fanOut(['a'])), { checkpointDir: dir });
    expect(run.error).toBeUndefined();
    expect(run.outcomes).toEqual([]);
    expect(await exists(dir)).toBe(false);
  });

  it('keeps the outputs the failed branch needs; the resumed run reuses the rest and writes what a clean run writes', async () => {
    // The failing branch comes first: its input must outlive the stage that reads it last (out_a).
    const plan = await planOf(fanOut(['b', 'a']));
    await block('b');
    const dir = path.join(checkpoints, 'first');
    const failed = await execute(plan, { checkpointDir: dir });
    expect(failed.result?.failures.map((f) => f.stageId)).toEqual(['out_b']);
    expect(statuses(failed.events)).toEqual([
      ['src', 'succeeded'],
      ['paid', 'succeeded'],
      ['out_b', 'failed'],
      ['out_a', 'succeeded'],
    ]);
    expect(failed.outcomes).toEqual([{ kept: true, stages: 3, tables: 1, files: 0, bytes: expect.any(Number) as number }]);
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as CheckpointManifest;
    expect(manifest).toMatchObject({ format: CHECKPOINT_FORMAT, planHash: planHash(plan), tables: [{ table: plan.stages[1]?.outputTables.output, stageId: 'paid', rows: 3 }] });
    expect(manifest.stages.map((s) => [s.stageId, s.rowsRead, s.rowsOut, s.rowsWritten])).toEqual([
      ['src', 5, 5, 0],
      ['paid', 0, 3, 0],
      ['out_a', 0, 3, 3],
    ]);

    // Executing the source again would fail now; a published destination would come back.
    await rm(path.join(workspace, 'orders.csv'));
    await rm(path.join(workspace, 'a'), { recursive: true });
    await unblock('b');
    const resumed = await execute(plan, { resume: await openCheckpoint(dir, { plan, watermarks: {} }) });
    expect(resumed.error).toBeUndefined();
    expect(resumed.events.filter((e) => e.status === 'running').map((e) => e.stageId)).toEqual(['out_b']);
    expect(statuses(resumed.events)).toEqual([
      ['src', 'reused'],
      ['paid', 'reused'],
      ['out_b', 'succeeded'],
      ['out_a', 'reused'],
    ]);
    expect(resumed.events.find((e) => e.stageId === 'src')).toMatchObject({ rowsIn: 5, rowsOut: 5, rowsRejected: 0, attempts: 0 });
    // Rows read count the reused source: read = written by each branch, and the run wrote both branches.
    expect(resumed.result).toMatchObject({ rowsRead: 5, rowsWritten: 6, rowsRejected: 0, failures: [], files: [{ nodeId: 'out_b', path: 'b/paid.csv', rows: 3 }] });
    expect(await exists(path.join(workspace, 'a/paid.csv'))).toBe(false);
    const written = await readFile(path.join(workspace, 'b/paid.csv'), 'utf8');
    expect(written).toBe(await cleanOutput(['b', 'a'], 'b'));
    // HUGEINT survives the checkpoint exactly (Parquet would have made it a DOUBLE).
    expect(written).toContain(`${HUGE.slice(0, -1)}6`);
  });

  it('with stopAll, keeps the finished file destination unpublished; the resumed run publishes it with the rest', async () => {
    const plan = await planOf(fanOut(['a', 'b']));
    const stopAll = { policy: { onBranchFailure: 'stopAll' as const } };
    await block('b');
    const dir = path.join(checkpoints, 'stop');
    const failed = await execute(plan, { checkpointDir: dir, extra: stopAll });
    expect(failed.error).toBeInstanceOf(AppError);
    expect(await exists(path.join(workspace, 'a/paid.csv'))).toBe(false);
    expect(failed.outcomes).toEqual([{ kept: true, stages: 3, tables: 1, files: 1, bytes: expect.any(Number) as number }]);
    // No temporary file is left beside the destination: it moved into the checkpoint.
    expect((await readdir(path.join(workspace, 'a'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    await rm(path.join(workspace, 'orders.csv'));
    await unblock('b');
    const resumed = await execute(plan, { resume: await openCheckpoint(dir, { plan, watermarks: {} }), extra: stopAll });
    expect(resumed.error).toBeUndefined();
    expect(statuses(resumed.events)).toEqual([
      ['src', 'reused'],
      ['paid', 'reused'],
      ['out_a', 'reused'],
      ['out_b', 'succeeded'],
    ]);
    expect(resumed.result?.files.map((f) => f.path).sort()).toEqual(['a/paid.csv', 'b/paid.csv']);
    expect(await readFile(path.join(workspace, 'a/paid.csv'), 'utf8')).toBe(await cleanOutput(['a', 'b'], 'a'));
    expect(await readFile(path.join(workspace, 'b/paid.csv'), 'utf8')).toBe(await cleanOutput(['a', 'b'], 'b'));
  });

  it('a resumed run that fails again keeps its own checkpoint, from which the next resume finishes', async () => {
    const plan = await planOf(fanOut(['a', 'b', 'c']));
    await block('b');
    await block('c');
    const first = path.join(checkpoints, 'r1');
    await execute(plan, { checkpointDir: first });

    await rm(path.join(workspace, 'orders.csv'));
    await unblock('b');
    const second = path.join(checkpoints, 'r2');
    const again = await execute(plan, { resume: await openCheckpoint(first, { plan, watermarks: {} }), checkpointDir: second });
    expect(statuses(again.events)).toEqual([
      ['src', 'reused'],
      ['paid', 'reused'],
      ['out_a', 'reused'],
      ['out_b', 'succeeded'],
      ['out_c', 'failed'],
    ]);
    expect(again.outcomes).toEqual([{ kept: true, stages: 4, tables: 1, files: 0, bytes: expect.any(Number) as number }]);

    // The second checkpoint holds its own copy of the reused table.
    await rm(first, { recursive: true });
    await unblock('c');
    const third = await execute(plan, { resume: await openCheckpoint(second, { plan, watermarks: {} }) });
    expect(third.error).toBeUndefined();
    expect(statuses(third.events).map(([id, s]) => `${id}:${s}`)).toEqual(['src:reused', 'paid:reused', 'out_a:reused', 'out_b:reused', 'out_c:succeeded']);
    expect(third.result).toMatchObject({ rowsRead: 5, rowsWritten: 9 });
    expect(await readFile(path.join(workspace, 'c/paid.csv'), 'utf8')).toBe(await cleanOutput(['a', 'b', 'c'], 'c'));
  });

  it('keeps nothing when no stage finished, or when the run was cancelled', async () => {
    const plan = await planOf(fanOut(['a']));
    await rm(path.join(workspace, 'orders.csv'));
    const dir = path.join(checkpoints, 'none');
    const failed = await execute(plan, { checkpointDir: dir });
    expect((failed.error as AppError).code).toBe('FILE_NOT_FOUND');
    expect(failed.outcomes).toEqual([{ kept: false, reason: 'no stage finished, so there is nothing to reuse' }]);
    expect(await exists(dir)).toBe(false);

    await writeFile(path.join(workspace, 'orders.csv'), ordersCsv);
    const controller = new AbortController();
    const cancelled = await execute(plan, {
      checkpointDir: dir,
      extra: {
        signal: controller.signal,
        onStage: (e) => {
          if (e.stageId === 'paid' && e.status === 'succeeded') controller.abort();
        },
      },
    });
    expect((cancelled.error as AppError).code).toBe('RUN_CANCELLED');
    expect(cancelled.outcomes).toEqual([]);
    expect(await exists(dir)).toBe(false);
  });
});

describe('openCheckpoint', () => {
  it('refuses a missing checkpoint and one made for another plan', async () => {
    const plan = await planOf(fanOut(['a', 'b']));
    await expect(openCheckpoint(path.join(checkpoints, 'gone'), { plan, watermarks: {} })).rejects.toMatchObject({
      code: 'CHECKPOINT_UNAVAILABLE',
      message: expect.stringMatching(/are gone .* Run the pipeline from the start instead\.$/) as string,
    });

    await block('b');
    const dir = path.join(checkpoints, 'other');
    await execute(plan, { checkpointDir: dir });
    const changed = await planOf(fanOut(['a', 'b', 'c']));
    await expect(openCheckpoint(dir, { plan: changed, watermarks: {} })).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH' });
  });

  it('refuses when an incremental source it reused has moved on', async () => {
    const plan = await planOf(fanOut(['a']));
    const dir = path.join(checkpoints, 'moved');
    await mkdir(dir, { recursive: true });
    const at = { column: 'at', type: 'timestamp' as const, value: '2024-01-01 00:00:00' };
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      planHash: planHash(plan),
      createdAt: new Date().toISOString(),
      stages: [{ stageId: 'src', nodeIds: ['src'], rowsIn: 1, rowsOut: 1, rowsRejected: 0, rowsRead: 1, rowsWritten: 0, files: [], sources: [{ nodeId: 'src', before: at, reached: { ...at, value: '2024-02-01 00:00:00' } }] }],
      tables: [],
    };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    expect((await openCheckpoint(dir, { plan, watermarks: { src: at } })).stages.get('src')?.rowsOut).toBe(1);
    await expect(openCheckpoint(dir, { plan, watermarks: {}, labelOf: () => 'Events' })).rejects.toMatchObject({
      code: 'CHECKPOINT_MISMATCH',
      details: { nodeId: 'src' },
      message: expect.stringContaining('The incremental source "Events" has moved on since the checkpoints were made (its watermark was at = 2024-01-01 00:00:00 and is now unset)') as string,
    });
  });
});
