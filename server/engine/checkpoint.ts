// Checkpoints let a failed run be resumed from its failed stages (ADR 007).
//
// When a run ends with failures, the engine keeps, in one folder:
// - tables.duckdb: the outputs of finished stages that unfinished stages read,
//   copied from the run's in-memory DuckDB into a DuckDB database file (exact
//   types, unlike Parquet, which turns HUGEINT into DOUBLE);
// - files/: outputs of file destinations that finished but were not published
//   (a run that fails as a whole publishes no file);
// - manifest.json, written last: the plan's hash, every finished stage with its
//   row counts, the kept tables with their row counts, the stashed files and the
//   watermarks of incremental sources. No manifest, no checkpoint.
//
// A resumed run compiles the same version with the same parameters; if the
// plan hashes differ, or an incremental source has moved on since, it refuses.
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { ExecutionPlan } from '../compiler/compile';
import { planHash } from '../compiler/plan-hash';
import type { SourceWatermark } from '../connectors/source';
import { AppError, errorMessage } from '../errors';
import { ColumnTypeSchema } from '../pipeline/types';
import { quoteIdent, quoteString } from '../sql/ast';

export const CHECKPOINT_FORMAT = 1;
const MANIFEST = 'manifest.json';
const TABLES = 'tables.duckdb';
const FILES = 'files';
/** Names the checkpoint a resumed run reads from, and the one a run writes to, inside the DuckDB session. */
const RESUME_CATALOG = 'sluice_resume';
const CHECKPOINT_CATALOG = 'sluice_checkpoint';

const WatermarkSchema = z.object({ column: z.string(), type: ColumnTypeSchema, value: z.string() });
const count = z.number().int().nonnegative();

// Arrays, not records: stage and node ids such as "__proto__" are valid.
const CheckpointStageSchema = z.object({
  stageId: z.string(),
  nodeIds: z.array(z.string()),
  rowsIn: count.nullable(),
  rowsOut: count,
  rowsRejected: count,
  /** What the stage added to the run's rows read: a source's rows passed on plus rejected. */
  rowsRead: count,
  rowsWritten: count,
  /** Files the stage wrote that no run has published yet; the run that completes publishes them. */
  files: z.array(z.object({ nodeId: z.string(), path: z.string(), rows: count, folder: z.boolean(), stash: z.string().regex(/^[0-9]+$/) })),
  /** Incremental sources the stage read: the watermark it started from and the one it reached. */
  sources: z.array(z.object({ nodeId: z.string(), before: WatermarkSchema.nullable(), reached: WatermarkSchema.nullable() })),
});
export type CheckpointStage = z.infer<typeof CheckpointStageSchema>;

export const CheckpointManifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  planHash: z.string(),
  createdAt: z.iso.datetime(),
  /** Stages whose work is done; a resumed run reuses them instead of executing them. */
  stages: z.array(CheckpointStageSchema),
  /** Tables in tables.duckdb: outputs of those stages that the other stages read. */
  tables: z.array(z.object({ table: z.string(), stageId: z.string(), rows: count })),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

/** A checkpoint checked against the plan about to run. */
export interface OpenedCheckpoint {
  dir: string;
  stages: ReadonlyMap<string, CheckpointStage>;
  /** Kept tables and their row counts. */
  tables: ReadonlyMap<string, number>;
}

/** What became of a run's checkpoint. */
export type CheckpointOutcome = { kept: true; stages: number; tables: number; files: number; bytes: number } | { kept: false; reason: string };

/** All checkpoints of a data folder. */
export const checkpointsRoot = (dataDir: string): string => path.join(dataDir, 'checkpoints');

/** The checkpoint folder of one run; each attempt writes its own below it. */
export function runCheckpointDir(dataDir: string, runId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) throw new Error(`Not a run id: ${runId}`);
  return path.join(checkpointsRoot(dataDir), runId);
}

export const attemptCheckpointDir = (dataDir: string, runId: string, attempt: number): string => path.join(runCheckpointDir(dataDir, runId), String(attempt));

const unavailable = (message: string) => new AppError('CHECKPOINT_UNAVAILABLE', `${message} Run the pipeline from the start instead.`);

/**
 * Reads the checkpoint in `dir` and checks that it was made for `plan` and
 * that no incremental source it reused has moved on since.
 */
export async function openCheckpoint(
  dir: string,
  o: { plan: ExecutionPlan; watermarks: Readonly<Record<string, SourceWatermark>>; labelOf?: (nodeId: string) => string },
): Promise<OpenedCheckpoint> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw unavailable('The checkpoints of the run to resume are gone (removed after their retention period, or never completed).');
    throw unavailable(`The checkpoints of the run to resume cannot be read (${errorMessage(error)}).`);
  }
  let manifest: CheckpointManifest;
  try {
    manifest = CheckpointManifestSchema.parse(JSON.parse(text));
  } catch (error) {
    throw unavailable(`The checkpoint manifest of the run to resume is not valid (${errorMessage(error).split('\n')[0] ?? ''}).`);
  }
  if (manifest.planHash !== planHash(o.plan)) {
    throw new AppError(
      'CHECKPOINT_MISMATCH',
      'The pipeline no longer compiles to the plan the checkpoints were made for (Sluice was upgraded since, or a setting it depends on changed), so they cannot be reused. Run the pipeline from the start instead.',
    );
  }
  const label = o.labelOf ?? ((id: string) => id);
  for (const stage of manifest.stages) {
    for (const source of stage.sources) {
      const now = o.watermarks[source.nodeId] ?? null;
      if (!sameWatermark(source.before, now)) {
        throw new AppError(
          'CHECKPOINT_MISMATCH',
          `The incremental source "${label(source.nodeId)}" has moved on since the checkpoints were made (its watermark was ${describeWatermark(source.before)} and is now ${describeWatermark(now)}): reusing the rows it read then would load them again. Run the pipeline from the start instead.`,
          { nodeId: source.nodeId },
        );
      }
    }
  }
  return {
    dir,
    stages: new Map(manifest.stages.map((s) => [s.stageId, s])),
    tables: new Map(manifest.tables.map((t) => [t.table, t.rows])),
  };
}

const sameWatermark = (a: SourceWatermark | null, b: SourceWatermark | null): boolean =>
  a === null || b === null ? a === b : a.column === b.column && a.type === b.type && a.value === b.value;
const describeWatermark = (w: SourceWatermark | null): string => (w ? `${w.column} = ${w.value}` : 'unset');

/** Makes the resumed checkpoint's tables readable in the session (under their own names, see reuseTable). */
export async function attachResumed(conn: DuckDBConnection, checkpoint: OpenedCheckpoint): Promise<void> {
  if (checkpoint.tables.size === 0) return;
  try {
    await conn.run(`ATTACH ${quoteString(path.join(checkpoint.dir, TABLES))} AS ${RESUME_CATALOG} (READ_ONLY)`);
  } catch (error) {
    throw unavailable(`The checkpointed tables of the run to resume cannot be opened (${errorMessage(error).split('\n')[0] ?? ''}).`);
  }
}

/** A view named like the original table over its checkpointed copy; the stages after it read it unchanged. */
export async function reuseTable(conn: DuckDBConnection, table: string): Promise<void> {
  await conn.run(`CREATE VIEW ${quoteIdent(table)} AS SELECT * FROM ${RESUME_CATALOG}.main.${quoteIdent(table)}`);
}

/** A file destination's unpublished output, moved into the checkpoint as files/<stash>. */
export async function stashFile(dir: string, stash: string, temporary: string): Promise<void> {
  const target = path.join(dir, FILES, stash);
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await rename(temporary, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(temporary, target, { recursive: true });
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Copies a stashed output to `temporary` (beside its destination), to be published like a freshly written one. */
export async function restoreFile(checkpoint: OpenedCheckpoint, stash: string, temporary: string): Promise<void> {
  try {
    await cp(path.join(checkpoint.dir, FILES, stash), temporary, { recursive: true, errorOnExist: true, force: false });
  } catch (error) {
    throw unavailable(`A file kept in the checkpoints of the run to resume cannot be copied (${errorMessage(error)}).`);
  }
}

/**
 * Writes the kept tables into tables.duckdb, then the manifest. The stashed
 * files must already be in place: the manifest's presence says the checkpoint
 * is complete.
 */
export async function writeCheckpoint(
  conn: DuckDBConnection,
  dir: string,
  content: { plan: ExecutionPlan; stages: CheckpointStage[]; tables: { table: string; stageId: string; rows: number }[] },
): Promise<{ bytes: number }> {
  await mkdir(dir, { recursive: true });
  if (content.tables.length > 0) {
    const live = await liveTables(conn);
    const gone = content.tables.filter((t) => !live.has(t.table));
    if (gone.length > 0) throw new Error(`the outputs ${gone.map((t) => `${t.table} (stage ${t.stageId})`).join(', ')} were already released`);
    await conn.run(`ATTACH ${quoteString(path.join(dir, TABLES))} AS ${CHECKPOINT_CATALOG}`);
    try {
      for (const { table } of content.tables) {
        await conn.run(`CREATE TABLE ${CHECKPOINT_CATALOG}.main.${quoteIdent(table)} AS SELECT * FROM memory.main.${quoteIdent(table)}`);
      }
    } finally {
      await conn.run(`DETACH ${CHECKPOINT_CATALOG}`);
    }
  }
  const manifest: CheckpointManifest = { format: CHECKPOINT_FORMAT, planHash: planHash(content.plan), createdAt: new Date().toISOString(), stages: content.stages, tables: content.tables };
  const temporary = path.join(dir, `${MANIFEST}.tmp`);
  await writeFile(temporary, JSON.stringify(manifest, null, 1));
  await rename(temporary, path.join(dir, MANIFEST));
  return { bytes: await sizeOf(dir) };
}

async function liveTables(conn: DuckDBConnection): Promise<Set<string>> {
  const reader = await conn.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE database_name = 'memory' UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = 'memory' AND NOT internal`,
  );
  return new Set(reader.getRows().map((r) => String(r[0])));
}

async function sizeOf(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(target)) total += await sizeOf(path.join(target, entry));
  return total;
}
