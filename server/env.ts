// Process configuration, parsed once with zod so a bad value fails at start-up
// with the variable's name instead of somewhere deep in a request.
import path from 'node:path';
import { z } from 'zod';
import { parseAllowList } from './connectors/rest/address-policy';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * SLUICE_ALLOWED_DIRS: server folders that sources may read, colon-separated.
 * Each entry is `alias=/absolute/path`, or just `/absolute/path` (alias: the
 * folder's name, lowercased). Pipelines name files in them as `alias:relative/path`.
 */
export const AllowedDirsSchema = z.string().transform((value, ctx) => {
  const dirs: Record<string, string> = {};
  for (const entry of value.split(':').filter((e) => e.trim() !== '')) {
    const m = /^([^=/]+)=(.*)$/.exec(entry.trim());
    const folder = (m ? (m[2] ?? '') : entry).trim();
    const alias = m ? (m[1] ?? '').trim() : path.basename(folder).toLowerCase();
    if (!path.isAbsolute(folder) || path.resolve(folder) === path.parse(folder).root) {
      ctx.addIssue({ code: 'custom', message: `"${folder}" is not an absolute folder path (and not the root)` });
    } else if (!/^[a-z][a-z0-9_-]{1,31}$/.test(alias)) {
      ctx.addIssue({ code: 'custom', message: `"${alias}" is not a usable alias (2–32 lowercase letters, digits, - or _); write alias=${folder}` });
    } else if (Object.hasOwn(dirs, alias)) {
      ctx.addIssue({ code: 'custom', message: `the alias "${alias}" is used twice; write alias=/path for one of them` });
    } else {
      dirs[alias] = path.resolve(folder);
    }
  }
  return dirs;
});
/** A 256-bit key, base64 (e.g. `openssl rand -base64 32`). */
const secretKey = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  SLUICE_DATA_DIR: z.string().min(1).default('.sluice'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SLUICE_PUBLIC_URL: z.url().optional(),
  SLUICE_EMBEDDED_WORKER: booleanFlag.optional(),
  SLUICE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  SLUICE_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).default(2 * 1024 ** 3),
  SLUICE_ALLOWED_DIRS: AllowedDirsSchema.default({}),
  SLUICE_QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('sluice'),
  /** Starting a run answers BUSY while this many runs wait in the queue. */
  SLUICE_MAX_QUEUED_RUNS: z.coerce.number().int().min(1).default(5000),
  /**
   * A worker holds each run's job under a lock it renews every half of this; when the
   * worker dies (crash, SIGKILL) the run goes back to the queue within about twice this.
   */
  SLUICE_WORKER_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  /**
   * How long a failed run's checkpoints (what resuming it reuses) are kept, in
   * hours; 0 keeps none. The same in every process.
   */
  SLUICE_CHECKPOINT_RETENTION_HOURS: z.coerce.number().min(0).max(24 * 365).default(72),
  /**
   * Memory each run's DuckDB may use before it spills to the run's temp folder,
   * in MiB. Default: a quarter of the machine's memory. A lower cap keeps a
   * worker's memory flat however large the data (it spills more).
   */
  SLUICE_DUCKDB_MEMORY_MB: z.coerce.number().int().min(256).optional(),
  /** A stopping worker lets running runs finish this long before handing them back. */
  SLUICE_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Encrypts stored connection secrets; see docs/decisions/006-connection-secrets.md. */
  SLUICE_SECRET_KEY: secretKey.optional(),
  /** The key before a rotation: still accepted for decryption until `npm run secrets:rotate` has run. */
  SLUICE_SECRET_KEY_PREVIOUS: secretKey.optional(),
  /**
   * HTTP API sources refuse private, loopback and link-local addresses; this
   * comma-separated list of CIDRs, addresses or host names (*.corp.example)
   * lets them reach those, e.g. "10.20.0.0/16,api.internal".
   */
  SLUICE_HTTP_ALLOW_PRIVATE: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      try {
        parseAllowList(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
});

export type Env = z.infer<typeof EnvSchema> & { dataDir: string };

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings count as unset, as shells and .env files commonly produce them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.SLUICE_DATA_DIR) };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
