import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnectionSettings } from '../../connectors/connection';
import { generateSecretKey, secretKeyFrom, type Keyring } from '../../connectors/secrets';
import { connectionSettings, rotateConnectionSecrets } from '../../connectors/store';
import { workspaceDir } from '../../engine/files';
import { openTestDatabase, signUpTestUser, type TestDatabase } from '../../testing/db';
import { createTestServices, type TestServices } from '../../testing/services';
import { createCaller } from '../root';

// A password distinctive enough that finding it anywhere means it leaked.
const PASSWORD = `pw-${randomBytes(8).toString('hex')}-ünïcode`;
const pgSettings = (over: Partial<Extract<ConnectionSettings, { type: 'postgres' }>> = {}): ConnectionSettings => ({
  type: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  database: 'test',
  user: 'postgres',
  password: '',
  ssl: 'disable',
  ...over,
});

describe('connection router', () => {
  let db: TestDatabase;
  let services: TestServices;
  let dataDir: string;
  let keyring: Keyring;
  let alice: ReturnType<typeof createCaller>;
  let bob: ReturnType<typeof createCaller>;
  let aliceWorkspace: string;
  const schema = `sluice_disc_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    services = createTestServices();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-conn-'));
    keyring = { current: secretKeyFrom(generateSecretKey()) };
    const connectors = { keyring, dataDir };
    alice = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'alice@example.com'), services: () => services, connectors });
    bob = createCaller({ db: db.prisma, user: await signUpTestUser(db.prisma, 'bob@example.com'), services: () => services, connectors });
    aliceWorkspace = (await alice.workspace.current()).id;
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.events (id serial, at timestamptz NOT NULL, amount numeric(10,2), label varchar(20))`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await services.close();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await db.prisma.connection.deleteMany({});
  });

  it('creates, lists and gets connections without ever returning the password', async () => {
    const created = await alice.connection.create({ name: 'Warehouse', settings: pgSettings({ password: PASSWORD }) });
    expect(created).toMatchObject({ name: 'Warehouse', type: 'postgres', hasPassword: true, settings: { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', ssl: 'disable', type: 'postgres' } });
    const listed = await alice.connection.list();
    const got = await alice.connection.get({ id: created.id });
    for (const answer of [created, listed, got]) expect(JSON.stringify(answer)).not.toContain(PASSWORD);
    expect(listed.map((c) => c.name)).toEqual(['Warehouse']);

    // At rest: only ciphertext, bound to the row.
    const row = await db.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    expect(row.secretKeyId).toBe(keyring.current.id);
    expect((await connectionSettings(db.prisma, keyring, aliceWorkspace, created.id)) as { password: string }).toMatchObject({ password: PASSWORD });
  });

  it('reports hasPassword false when none was given, and names must be unique per workspace', async () => {
    const created = await alice.connection.create({ name: 'Local', settings: pgSettings() });
    expect(created.hasPassword).toBe(false);
    await expect(alice.connection.create({ name: 'Local', settings: pgSettings() })).rejects.toThrow(/already exists/);
    // Another workspace may use the same name.
    await expect(bob.connection.create({ name: 'Local', settings: pgSettings() })).resolves.toMatchObject({ name: 'Local' });
  });

  it('keeps the stored password when the form leaves it empty, and replaces it when given', async () => {
    const { id } = await alice.connection.create({ name: 'Keep', settings: pgSettings({ password: PASSWORD }) });
    await alice.connection.update({ id, name: 'Kept', settings: pgSettings({ database: 'postgres' }) });
    expect(await connectionSettings(db.prisma, keyring, aliceWorkspace, id)).toMatchObject({ password: PASSWORD, database: 'postgres' });
    await alice.connection.update({ id, name: 'Kept', settings: pgSettings({ password: 'new-one' }) });
    expect(await connectionSettings(db.prisma, keyring, aliceWorkspace, id)).toMatchObject({ password: 'new-one' });
  });

  it('does not send the stored password to a new host or user unless it is entered again', async () => {
    const { id } = await alice.connection.create({ name: 'Moved', settings: pgSettings({ password: PASSWORD }) });
    await expect(alice.connection.update({ id, name: 'Moved', settings: pgSettings({ host: 'attacker.example' }) })).rejects.toThrow(/enter its password again/);
    await expect(alice.connection.test({ id, settings: pgSettings({ user: 'someone_else' }) })).rejects.toThrow(/enter its password again/);
  });

  it('isolates workspaces: another workspace cannot see, use, change or delete a connection', async () => {
    const { id } = await alice.connection.create({ name: 'Private', settings: pgSettings({ password: PASSWORD }) });
    expect(await bob.connection.list()).toEqual([]);
    await expect(bob.connection.get({ id })).rejects.toThrow(/Connection not found/);
    await expect(bob.connection.test({ id })).rejects.toThrow(/Connection not found/);
    await expect(bob.connection.discover({ id })).rejects.toThrow(/Connection not found/);
    await expect(bob.connection.update({ id, name: 'Mine now', settings: pgSettings() })).rejects.toThrow(/Connection not found/);
    await expect(bob.connection.delete({ id })).rejects.toThrow(/Connection not found/);
    expect((await alice.connection.get({ id })).name).toBe('Private');
    await alice.connection.delete({ id });
    expect(await alice.connection.list()).toEqual([]);
  });

  it('tests a working connection, stored or unsaved', async () => {
    const { id } = await alice.connection.create({ name: 'Works', settings: pgSettings() });
    expect(await alice.connection.test({ id })).toMatchObject({ ok: true, version: expect.stringContaining('PostgreSQL') as string });
    expect(await alice.connection.test({ settings: { type: 'mysql', host: '127.0.0.1', port: 3306, database: 'test', user: 'root', password: '', ssl: 'disable' } })).toMatchObject({
      ok: true,
      version: expect.stringContaining('MariaDB') as string,
    });
  });

  it('explains failures clearly without the password in any message or log line', async () => {
    const logged: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack ?? ''}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      }),
    );
    try {
      // A role that needs a password (PostgreSQL here trusts local connections, so use MariaDB's root with a wrong one).
      const wrongMysql = await alice.connection.test({ settings: { type: 'mysql', host: '127.0.0.1', port: 3306, database: 'test', user: 'root', password: PASSWORD, ssl: 'disable' } });
      expect(wrongMysql).toMatchObject({ ok: false, code: 'CONNECTION_FAILED', message: expect.stringMatching(/^Could not connect to MySQL at 127\.0\.0\.1:3306: Access denied for user 'root'/) as string });

      const refused = await alice.connection.test({ settings: pgSettings({ port: 1, password: PASSWORD }) });
      expect(refused).toMatchObject({ ok: false, code: 'CONNECTION_FAILED', message: expect.stringMatching(/^Could not connect to PostgreSQL at 127\.0\.0\.1:1: .*ECONNREFUSED/) as string });

      const noDatabase = await alice.connection.test({ settings: pgSettings({ database: `missing_${PASSWORD.slice(3, 10)}`, password: PASSWORD }) });
      expect(noDatabase).toMatchObject({ ok: false, message: expect.stringContaining('does not exist') as string });

      // A driver echoing the password back gets it blanked out.
      const { id } = await alice.connection.create({ name: 'Echo', settings: pgSettings({ user: PASSWORD, password: PASSWORD }) });
      const echoed = await alice.connection.test({ id });
      expect(echoed.ok).toBe(false);

      for (const answer of [wrongMysql, refused, noDatabase, echoed]) expect(JSON.stringify(answer)).not.toContain(PASSWORD);
      await expect(alice.connection.discover({ id })).rejects.toSatisfy((error: Error) => !error.message.includes(PASSWORD));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(logged.join('\n')).not.toContain(PASSWORD);
  });

  it('gives up on a server that never answers within about 10 seconds', async () => {
    // Accepts the TCP connection and then says nothing, like a stuck server or a black-holing firewall.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    const answer = await alice.connection.test({ settings: pgSettings({ port }) });
    const elapsed = Date.now() - started;
    silent.close();
    expect(answer).toMatchObject({ ok: false, code: 'CONNECTION_FAILED', message: expect.stringMatching(/^Could not connect to PostgreSQL at 127\.0\.0\.1:\d+: .*(did not answer within 10 s|timeout)/i) as string });
    expect(elapsed).toBeGreaterThanOrEqual(9_000);
    expect(elapsed).toBeLessThan(13_000);
  }, 20_000);

  it('discovers tables and maps their column types', async () => {
    const { id } = await alice.connection.create({ name: 'Disc', settings: pgSettings() });
    const { type, schemas } = await alice.connection.discover({ id });
    expect(type).toBe('postgres');
    const events = schemas.find((s) => s.name === schema)?.tables.find((t) => t.name === 'events');
    expect(events?.columns).toEqual([
      { name: 'id', type: 'integer', sourceType: 'integer', nullable: false },
      { name: 'at', type: 'timestamp', sourceType: 'timestamp with time zone', nullable: false },
      { name: 'amount', type: 'float', sourceType: 'numeric(10,2)', nullable: true },
      { name: 'label', type: 'string', sourceType: 'character varying(20)', nullable: true },
    ]);
  });

  it('discovers an SQLite file in the workspace files folder', async () => {
    const files = workspaceDir(dataDir, aliceWorkspace);
    await mkdir(files, { recursive: true });
    const file = new DatabaseSync(path.join(files, 'shop.db'));
    file.exec('CREATE TABLE items (sku TEXT, qty INTEGER, added DATETIME)');
    file.close();
    const { id } = await alice.connection.create({ name: 'Shop', settings: { type: 'sqlite', path: 'shop.db' } });
    expect(await alice.connection.test({ id })).toMatchObject({ ok: true, version: expect.stringMatching(/^SQLite 3\./) as string });
    const { schemas } = await alice.connection.discover({ id });
    expect(schemas[0]?.tables[0]?.columns.map((c) => [c.name, c.type])).toEqual([
      ['sku', 'string'],
      ['qty', 'integer'],
      ['added', 'timestamp'],
    ]);
    // Bob's workspace has no such file.
    const other = await bob.connection.create({ name: 'Shop', settings: { type: 'sqlite', path: 'shop.db' } });
    expect(await bob.connection.test({ id: other.id })).toMatchObject({ ok: false, code: 'FILE_NOT_FOUND' });
  });

  it('refuses ciphertext swapped between two connections', async () => {
    const a = await alice.connection.create({ name: 'A', settings: pgSettings({ password: 'password-a' }) });
    const b = await alice.connection.create({ name: 'B', settings: pgSettings({ password: 'password-b' }) });
    const rowA = await db.prisma.connection.findUniqueOrThrow({ where: { id: a.id } });
    await db.prisma.connection.update({ where: { id: b.id }, data: { secretCiphertext: rowA.secretCiphertext, secretIv: rowA.secretIv, secretTag: rowA.secretTag } });
    await expect(connectionSettings(db.prisma, keyring, aliceWorkspace, b.id)).rejects.toMatchObject({ code: 'SECRETS_UNAVAILABLE' });
    expect(await alice.connection.test({ id: b.id })).toMatchObject({ ok: false, code: 'SECRETS_UNAVAILABLE' });
    // Entering the password again repairs it.
    await alice.connection.update({ id: b.id, name: 'B', settings: pgSettings({ password: 'password-b2' }) });
    expect(await connectionSettings(db.prisma, keyring, aliceWorkspace, b.id)).toMatchObject({ password: 'password-b2' });
  });

  it('rotates every connection to a new key, reading the old ones with the previous key', async () => {
    const { id } = await alice.connection.create({ name: 'Rotate', settings: pgSettings({ password: PASSWORD }) });
    const rotatedRing: Keyring = { current: secretKeyFrom(generateSecretKey()), previous: keyring.current };
    expect(await rotateConnectionSecrets(db.prisma, rotatedRing)).toEqual({ rotated: 1, current: 0 });
    expect(await rotateConnectionSecrets(db.prisma, rotatedRing)).toEqual({ rotated: 0, current: 1 });
    // The old key is no longer needed.
    expect(await connectionSettings(db.prisma, { current: rotatedRing.current }, aliceWorkspace, id)).toMatchObject({ password: PASSWORD });
    await expect(connectionSettings(db.prisma, keyring, aliceWorkspace, id)).rejects.toThrow(/no longer has/);
  });
});
