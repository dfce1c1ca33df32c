// One signed-up user's workspace for integration tests: a real database, real
// Redis-backed services, a data folder, a tRPC caller and, when asked, a run
// worker and a connection keyring. Registers its own beforeAll/afterAll.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startRunWorker, type RunWorker, type RunWorkerOptions } from '../../workers/run-worker';
import { createCaller } from '../api/root';
import { generateSecretKey, secretKeyFrom, type Keyring } from '../connectors/secrets';
import { workspaceDir } from '../engine/files';
import { openTestDatabase, signUpTestUser, type TestDatabase, type TestDatabaseKind } from './db';
import { createTestServices, type TestServices } from './services';

type WorkerSettings = Partial<Omit<RunWorkerOptions, 'db' | 'bus' | 'redisUrl' | 'prefix' | 'dataDir' | 'keyring'>>;

export interface TestWorkspaceOptions {
  database: TestDatabaseKind;
  email: string;
  /** Files written into the workspace folder, by path relative to it. */
  files?: Record<string, string>;
  /** Gives the caller and the worker a fresh keyring, so connections can be stored. */
  keyring?: boolean;
  /** Starts an embedded run worker (concurrency 1 unless set); none when absent. */
  worker?: WorkerSettings;
  /** How long the worker may finish running runs when the suite ends; default its own. */
  workerGraceMs?: number;
}

export interface TestWorkspace {
  db: TestDatabase;
  services: TestServices;
  dataDir: string;
  /** The workspace's own folder inside dataDir (where sources and file sinks resolve paths). */
  files: string;
  workspaceId: string;
  caller: ReturnType<typeof createCaller>;
  keyring: Keyring | undefined;
  worker: RunWorker | undefined;
  /** Another user's caller on the same services, in a workspace of their own. */
  stranger(email: string): Promise<ReturnType<typeof createCaller>>;
}

/** The workspace's fields are filled in by the beforeAll it registers; read them inside tests and hooks. */
export function useTestWorkspace(options: TestWorkspaceOptions): TestWorkspace {
  const workspace: Partial<TestWorkspace> = {};
  beforeAll(async () => {
    const db = await openTestDatabase(options.database);
    const services = createTestServices();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-workspace-'));
    const keyring = options.keyring ? { current: secretKeyFrom(generateSecretKey()) } : undefined;
    const connectors = keyring ? { keyring, dataDir } : undefined;
    const caller = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, options.email), services: () => services, connectors });
    const workspaceId = (await caller.workspace.current()).id;
    const files = workspaceDir(dataDir, workspaceId);
    await mkdir(files, { recursive: true });
    for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(path.join(files, name), content);
    const worker = options.worker
      ? await startRunWorker({ concurrency: 1, mode: 'embedded', ...options.worker, db: db.prisma, bus: services.bus, redisUrl: services.redisUrl, prefix: services.prefix, dataDir, keyring })
      : undefined;
    const stranger = async (email: string) => createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, email), services: () => services, connectors });
    Object.assign(workspace, { db, services, dataDir, files, workspaceId, caller, keyring, worker, stranger } satisfies TestWorkspace);
  });
  afterAll(async () => {
    await workspace.worker?.close(options.workerGraceMs);
    await workspace.services?.close();
    await workspace.db?.drop();
    if (workspace.dataDir) await rm(workspace.dataDir, { recursive: true, force: true });
  });
  return workspace as TestWorkspace;
}
