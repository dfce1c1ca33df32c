// The DuckDB sandbox against a real instance: every attack must be refused by
// DuckDB itself (files, extensions, settings) or by the expression guard
// (statements, subqueries, table functions), and the engine's own reads and
// writes inside the allowed folders must keep working. The messages pinned
// here are DuckDB 1.5.5's; an upgrade that changes the behaviour fails here.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { quoteIdent, quoteString } from '../sql/ast';
import { openDuckSession, type DuckSession } from './duckdb';
import { checkExpression } from './expression-guard';
import { resolveExistingFile, resolveOutputFile } from './files';

const ordersCsv = 'order_id,status,amount\n1,paid,10.5\n2,open,3\n3,paid,150.25\n';
const DENIED = /^Permission Error: Cannot access (file|directory) ".*" - file system operations are disabled by configuration/;
const LOCKED = (option: string) => new RegExp(`^Invalid Input Error: Cannot change configuration option "${option}" - the configuration has been locked`);

let base: string;
let files: string;
let temp: string;
let outside: string;
let session: DuckSession;
let conn: DuckDBConnection;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'sluice-lockdown-')));
  files = path.join(base, 'files');
  temp = path.join(base, 'tmp');
  outside = path.join(base, 'outside');
  await mkdir(files);
  await mkdir(outside);
  await writeFile(path.join(files, 'orders.csv'), ordersCsv);
  await writeFile(path.join(outside, 'secret.csv'), 'secret\nhunter2\n');
  session = await openDuckSession(temp, { allowedDirectories: [files] });
  conn = session.connection;
});
afterEach(async () => {
  session.close();
  await rm(base, { recursive: true, force: true });
});

/** Runs a statement and returns DuckDB's error message (first line), failing the test when it succeeds. */
async function refusal(sql: string): Promise<string> {
  try {
    await conn.run(sql);
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  }
  throw new Error(`Expected DuckDB to refuse: ${sql}`);
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson();
}

describe('DuckDB lockdown: settings', () => {
  it('is applied and locked', async () => {
    const [settings] = await rows(
      `SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked,
              current_setting('autoinstall_known_extensions') AS autoinstall, current_setting('autoload_known_extensions') AS autoload,
              current_setting('allow_community_extensions') AS community, current_setting('allow_persistent_secrets') AS secrets,
              current_setting('allowed_directories') AS dirs, current_setting('temp_directory') AS temp`,
    );
    expect({ ...settings, dirs: [...(settings?.dirs as string[])].sort() }).toEqual({
      external: false,
      locked: true,
      autoinstall: false,
      autoload: false,
      community: false,
      secrets: false,
      dirs: [`${files}/`, `${temp}/`].sort(),
      temp,
    });
  });

  it('refuses SET, RESET and PRAGMA settings', async () => {
    expect(await refusal(`SET memory_limit = '1GB'`)).toMatch(LOCKED('memory_limit'));
    expect(await refusal(`SET enable_external_access = true`)).toMatch(LOCKED('enable_external_access'));
    expect(await refusal(`SET GLOBAL enable_external_access = true`)).toMatch(LOCKED('enable_external_access'));
    expect(await refusal(`RESET enable_external_access`)).toMatch(LOCKED('enable_external_access'));
    expect(await refusal(`SET lock_configuration = false`)).toMatch(LOCKED('lock_configuration'));
    expect(await refusal(`SET allowed_directories = ['/']`)).toMatch(LOCKED('allowed_directories'));
    expect(await refusal(`SET temp_directory = '/'`)).toMatch(LOCKED('temp_directory'));
    expect(await refusal(`SET autoload_known_extensions = true`)).toMatch(LOCKED('autoload_known_extensions'));
    expect(await refusal(`SET profiling_output = '/tmp/profile.json'`)).toMatch(LOCKED('profiling_output'));
    expect(await refusal(`PRAGMA threads = 64`)).toMatch(LOCKED('threads'));
    expect(await refusal(`RESET ALL`)).toBe('Not implemented Error: Can only SET or RESET a variable');
    const [after] = await rows(`SELECT current_setting('enable_external_access') AS external, current_setting('memory_limit') <> '1.0 GiB' AS unchanged`);
    expect(after).toEqual({ external: false, unchanged: true });
  });

  it('refuses INSTALL and LOAD of anything not built in, and never fetches extensions', async () => {
    expect(await refusal(`INSTALL httpfs`)).toMatch(DENIED);
    expect(await refusal(`FORCE INSTALL httpfs FROM 'http://127.0.0.1:9/'`)).toMatch(DENIED);
    expect(await refusal(`LOAD httpfs`)).toBe('Permission Error: Loading external extensions is disabled through configuration');
    expect(await refusal(`LOAD ${quoteString(path.join(files, 'evil.duckdb_extension'))}`)).toBe(
      'Permission Error: Loading external extensions is disabled through configuration',
    );
    expect(await refusal(`SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')`)).toMatch(/^(Permission Error: Cannot access file|Missing Extension Error)/);
    expect(await refusal(`CREATE PERSISTENT SECRET s (TYPE http)`)).toMatch(/^Invalid Input Error: Persistent secrets are disabled/);
  });

  it('keeps the built-in parquet, json and icu extensions working with autoload off', async () => {
    const [row] = await rows(
      `SELECT json_extract('{"a": 42}', '$.a')::INTEGER AS j, strftime(TIMESTAMPTZ '2024-01-01 10:00:00+02', '%H') AS h, (TIMESTAMP '2024-06-01 12:00' AT TIME ZONE 'Europe/Paris')::VARCHAR AS tz`,
    );
    expect(row).toEqual({ j: 42, h: '08', tz: '2024-06-01 10:00:00+00' });
  });
});

describe('DuckDB lockdown: files', () => {
  it('refuses reading files outside the allowed folders', async () => {
    expect(await refusal(`SELECT * FROM read_csv('/etc/passwd')`)).toBe(
      'Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by configuration',
    );
    expect(await refusal(`SELECT * FROM read_text('/proc/self/environ')`)).toBe(
      'Permission Error: Cannot access file "/proc/self/environ" - file system operations are disabled by configuration',
    );
    expect(await refusal(`SELECT * FROM read_blob('/etc/hostname')`)).toMatch(DENIED);
    expect(await refusal(`SELECT * FROM glob('/*')`)).toBe('Permission Error: Cannot access file "/*" - file system operations are disabled by configuration');
    expect(await refusal(`SELECT * FROM parquet_metadata('/etc/passwd')`)).toMatch(DENIED);
    expect(await refusal(`SELECT * FROM read_csv(${quoteString(path.join(outside, 'secret.csv'))})`)).toMatch(DENIED);
    expect(await refusal(`SELECT * FROM read_csv(${quoteString(`file://${path.join(outside, 'secret.csv')}`)})`)).toMatch(DENIED);
    // One allowed file in a list does not open the others.
    expect(await refusal(`SELECT * FROM read_csv([${quoteString(path.join(files, 'orders.csv'))}, '/etc/passwd'])`)).toMatch(DENIED);
  });

  it('refuses ../ paths that leave an allowed folder, and a sibling sharing its prefix', async () => {
    expect(await refusal(`SELECT * FROM read_csv(${quoteString(`${files}/../outside/secret.csv`)})`)).toMatch(DENIED);
    expect(await refusal(`SELECT * FROM read_csv(${quoteString(`${files}/./../../${path.basename(base)}/outside/secret.csv`)})`)).toMatch(DENIED);
    expect(await refusal(`COPY (SELECT 1) TO ${quoteString(`${files}/../outside/x.csv`)}`)).toMatch(DENIED);
    await mkdir(`${files}-evil`);
    await writeFile(`${files}-evil/a.csv`, 'a\n1\n');
    expect(await refusal(`SELECT * FROM read_csv(${quoteString(`${files}-evil/a.csv`)})`)).toMatch(DENIED);
    expect(existsSync(path.join(outside, 'x.csv'))).toBe(false);
  });

  it('refuses COPY … TO, EXPORT and ATTACH outside the allowed folders', async () => {
    const escape = path.join(tmpdir(), `sluice-escape-${randomBytes(6).toString('hex')}.csv`);
    expect(await refusal(`COPY (SELECT 1) TO '/tmp/x.csv'`)).toBe(
      'Permission Error: Cannot access file "/tmp/x.csv" - file system operations are disabled by configuration',
    );
    expect(await refusal(`COPY (SELECT 1) TO ${quoteString(escape)} (FORMAT csv)`)).toMatch(DENIED);
    expect(await refusal(`COPY (SELECT 1) TO ${quoteString(path.join(outside, 'x.parquet'))} (FORMAT parquet)`)).toMatch(DENIED);
    expect(await refusal(`EXPORT DATABASE ${quoteString(path.join(outside, 'export'))}`)).toMatch(DENIED);
    expect(await refusal(`ATTACH ${quoteString(path.join(outside, 'evil.duckdb'))} AS evil`)).toMatch(DENIED);
    await conn.run(`CREATE TABLE t (a INTEGER)`);
    expect(await refusal(`COPY t FROM '/etc/passwd'`)).toMatch(DENIED);
    expect(existsSync(escape)).toBe(false);
    expect(existsSync(path.join(outside, 'evil.duckdb'))).toBe(false);
  });

  it('documents what DuckDB still allows inside the folders: ATTACH (the expression guard admits no statements)', async () => {
    // enable_external_access=false does not stop ATTACH as such, only paths outside the allowed folders.
    await conn.run(`ATTACH ':memory:' AS scratch`);
    await conn.run(`ATTACH ${quoteString(path.join(files, 'inside.duckdb'))} AS inside`);
    await conn.run(`DETACH inside`);
    // User text never reaches DuckDB as a statement: through the guard ATTACH is refused or is a mere cast.
    expect(await checkExpression(conn, `ATTACH '/tmp/evil.duckdb' AS evil`)).toMatchObject({ ok: false, code: 'EXPRESSION_NOT_SINGLE' });
    const cast = await checkExpression(conn, `ATTACH '/tmp/evil.duckdb'`);
    if (!cast.ok) throw new Error(cast.message);
    // Parsed as the typed literal '/tmp/evil.duckdb'::ATTACH — binding fails, nothing is attached.
    expect(await refusal(`SELECT ${cast.sql}`)).toBe('Catalog Error: Type with name ATTACH does not exist!');
    expect(await checkExpression(conn, 'INSTALL httpfs')).toMatchObject({ ok: false });
    expect(await checkExpression(conn, 'LOAD httpfs')).toMatchObject({ ok: false });
  });

  it('follows symlinks before checking: a link inside an allowed folder that points outside is refused', async () => {
    await writeFile(path.join(outside, 'victim.csv'), 'ORIGINAL\n');
    await symlink(path.join(outside, 'secret.csv'), path.join(files, 'link.csv'));
    await symlink(outside, path.join(files, 'linkdir'));
    await symlink(path.join(outside, 'victim.csv'), path.join(files, 'planted.csv'));

    expect(await refusal(`SELECT * FROM read_csv(${quoteString(path.join(files, 'link.csv'))})`)).toMatch(DENIED);
    expect(await refusal(`SELECT * FROM read_csv(${quoteString(path.join(files, 'linkdir', 'secret.csv'))})`)).toMatch(DENIED);
    expect(await refusal(`COPY (SELECT 'PWNED' AS x) TO ${quoteString(path.join(files, 'planted.csv'))} (FORMAT csv)`)).toMatch(DENIED);
    expect(await refusal(`COPY (SELECT 'PWNED' AS x) TO ${quoteString(path.join(files, 'linkdir', 'new.csv'))} (FORMAT csv)`)).toMatch(DENIED);
    expect(await readFile(path.join(outside, 'victim.csv'), 'utf8')).toBe('ORIGINAL\n');
    expect(existsSync(path.join(outside, 'new.csv'))).toBe(false);

    // files.ts refuses the same escapes before DuckDB ever sees the path.
    await expect(resolveExistingFile(files, 'link.csv', 'src')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT', details: { nodeId: 'src' } });
    await expect(resolveExistingFile(files, 'linkdir/secret.csv')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(resolveExistingFile(files, '../outside/secret.csv')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(resolveOutputFile(files, 'linkdir/new.csv')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(resolveOutputFile(files, '../outside/new.csv')).rejects.toBeInstanceOf(AppError);
  });

  it('allows symlinks that stay inside an allowed folder', async () => {
    await mkdir(path.join(files, 'in'));
    await symlink(path.join(files, 'orders.csv'), path.join(files, 'in', 'alias.csv'));
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM read_csv(${quoteString(path.join(files, 'in', 'alias.csv'))})`)).toEqual([{ n: 3 }]);
  });
});

describe('DuckDB lockdown: what the engine needs', () => {
  it('reads CSV inside the allowed folder, also through ../ that stays inside', async () => {
    const orders = quoteString(path.join(files, 'orders.csv'));
    await mkdir(path.join(files, 'sub'));
    expect(await rows(`SELECT status, count(*)::INTEGER AS n FROM read_csv(${orders}) GROUP BY status ORDER BY status`)).toEqual([
      { status: 'open', n: 1 },
      { status: 'paid', n: 2 },
    ]);
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM read_csv(${quoteString(`${files}/sub/../orders.csv`)})`)).toEqual([{ n: 3 }]);
    const [sniffed] = await rows(`SELECT HasHeader FROM sniff_csv(${orders})`);
    expect(sniffed).toEqual({ HasHeader: true });
  });

  it('writes CSV and Parquet into the allowed folder under a temporary name, and reads them back', async () => {
    await mkdir(path.join(files, 'out'));
    const csv = path.join(files, 'out', `.paid.csv.${randomBytes(6).toString('hex')}.tmp`);
    const parquet = path.join(files, 'out', `.paid.parquet.${randomBytes(6).toString('hex')}.tmp`);
    const query = `SELECT order_id, amount FROM read_csv(${quoteString(path.join(files, 'orders.csv'))}) WHERE status = 'paid'`;
    expect((await conn.run(`COPY (${query}) TO ${quoteString(csv)} (FORMAT csv, HEADER true)`)).rowsChanged).toBe(2);
    expect((await conn.run(`COPY (${query}) TO ${quoteString(parquet)} (FORMAT parquet)`)).rowsChanged).toBe(2);
    expect(await readFile(csv, 'utf8')).toBe('order_id,amount\n1,10.5\n3,150.25\n');
    expect(await rows(`SELECT order_id::INTEGER AS id, amount FROM read_parquet(${quoteString(parquet)}) ORDER BY id`)).toEqual([
      { id: 1, amount: 10.5 },
      { id: 3, amount: 150.25 },
    ]);
  });

  it('allows the temp folder by default and nothing else', async () => {
    const bare = await openDuckSession(path.join(base, 'tmp2'));
    try {
      const [row] = (await bare.connection.runAndReadAll(`SELECT current_setting('allowed_directories') AS dirs`)).getRowObjectsJson();
      expect(row).toEqual({ dirs: [`${path.join(base, 'tmp2')}/`] });
      await expect(bare.connection.run(`SELECT * FROM read_csv(${quoteString(path.join(files, 'orders.csv'))})`)).rejects.toThrow(DENIED);
      await bare.connection.run(`COPY (SELECT 1 AS a) TO ${quoteString(path.join(base, 'tmp2', 'spill.csv'))}`);
    } finally {
      bare.close();
    }
  });

  it('opens single files with allowedFiles, not their neighbours', async () => {
    await writeFile(path.join(outside, 'upload.csv'), 'a\n1\n');
    const single = await openDuckSession(path.join(base, 'tmp3'), { threads: 1, allowedFiles: [path.join(outside, 'upload.csv')] });
    try {
      expect((await single.connection.runAndReadAll(`SELECT * FROM read_csv(${quoteString(path.join(outside, 'upload.csv'))})`)).getRowObjectsJson()).toEqual([{ a: '1' }]);
      await expect(single.connection.run(`SELECT * FROM read_csv(${quoteString(path.join(outside, 'secret.csv'))})`)).rejects.toThrow(DENIED);
    } finally {
      single.close();
    }
  });

  it('allows a folder that is only created after the session opened (a workspace without files yet)', async () => {
    const later = path.join(base, 'later', 'files');
    const early = await openDuckSession(path.join(base, 'tmp4'), { allowedDirectories: [later] });
    try {
      await mkdir(path.join(later, 'out'), { recursive: true });
      await early.connection.run(`COPY (SELECT 1 AS a) TO ${quoteString(path.join(later, 'out', 'a.csv'))} (FORMAT csv)`);
      expect(await readFile(path.join(later, 'out', 'a.csv'), 'utf8')).toBe('a\n1\n');
    } finally {
      early.close();
    }
  });

  it('refuses to allow relative directories or the file system root', async () => {
    await expect(openDuckSession(path.join(base, 't5'), { allowedDirectories: ['files'] })).rejects.toThrow(/not an absolute path/);
    await expect(openDuckSession(path.join(base, 't6'), { allowedDirectories: ['/'] })).rejects.toThrow(/file system root/);
    await expect(openDuckSession(path.join(base, 't7'), { allowedDirectories: [`${files}${'/..'.repeat(40)}`] })).rejects.toThrow(/file system root/);
  });
});

describe('DuckDB lockdown: user text', () => {
  it('keeps a hostile identifier an identifier when quoted with quoteIdent', async () => {
    const evil = 'x"; DROP TABLE t;--';
    await conn.run(`CREATE TABLE t AS SELECT 1 AS a`);
    await conn.run(`CREATE TABLE ${quoteIdent(evil)} AS SELECT 2 AS ${quoteIdent(evil)}`);
    const reader = await conn.runAndReadAll(`SELECT ${quoteIdent(evil)} FROM ${quoteIdent(evil)}`);
    expect(reader.columnNames()).toEqual([evil]);
    expect(reader.getRowObjectsJson()).toEqual([{ [evil]: 2 }]);
    expect(await rows(`SELECT a FROM t`)).toEqual([{ a: 1 }]);
    // The guard sees a quoted identifier as one column reference too.
    expect(await checkExpression(conn, quoteIdent(evil))).toEqual({ ok: true, sql: `(\n${quoteIdent(evil)}\n)` });
  });

  it('lets a plain expression through the guard, and it runs', async () => {
    const result = await checkExpression(conn, `amount * 2 > 10 AND lower(status) = 'paid'`);
    expect(result).toEqual({ ok: true, sql: `(\namount * 2 > 10 AND lower(status) = 'paid'\n)` });
    if (!result.ok) return;
    await conn.run(`CREATE TABLE orders AS SELECT * FROM read_csv(${quoteString(path.join(files, 'orders.csv'))})`);
    expect(await rows(`SELECT order_id::INTEGER AS id FROM orders WHERE ${result.sql} ORDER BY id`)).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('refuses subqueries, table functions and smuggled statements, with messages', async () => {
    await conn.run(`CREATE TABLE t AS SELECT 1 AS a`);
    expect(await checkExpression(conn, '(SELECT 1)')).toEqual({
      ok: false,
      code: 'EXPRESSION_SUBQUERY',
      message: 'Subqueries (SELECT …, EXISTS, IN (SELECT …)) are not allowed in an expression',
      position: 0,
    });
    expect(await checkExpression(conn, `read_csv('x')`)).toEqual({
      ok: false,
      code: 'EXPRESSION_TABLE_FUNCTION',
      message: 'read_csv() is a table function; expressions cannot read tables or files',
      position: 0,
    });
    expect(await checkExpression(conn, '1; DROP TABLE t')).toEqual({
      ok: false,
      code: 'EXPRESSION_MULTIPLE_STATEMENTS',
      message: 'An expression cannot contain ";" followed by another statement',
    });
    expect(await rows(`SELECT a FROM t`)).toEqual([{ a: 1 }]);
    for (const attack of [
      `read_text('/proc/self/environ')`,
      `glob('/*')`,
      `x IN (SELECT secret FROM read_csv('/etc/passwd'))`,
      `1 FROM read_text('/etc/passwd')`,
      `current_setting('allowed_directories')`,
      `getenv('HOME')`,
      `1 WINDOW w AS (ORDER BY (SELECT count(*) FROM t))`,
      `1) UNION (SELECT 2`,
    ]) {
      const result = await checkExpression(conn, attack);
      expect(result, attack).toMatchObject({ ok: false, message: expect.any(String) as unknown });
    }
  });

  it('reports where a syntax error is', async () => {
    expect(await checkExpression(conn, `amount * > 2`)).toEqual({ ok: false, code: 'EXPRESSION_SYNTAX', message: 'syntax error at or near ">"', position: 9 });
    expect(await checkExpression(conn, `'é' = ) `)).toEqual({ ok: false, code: 'EXPRESSION_SYNTAX', message: 'syntax error at or near ")"', position: 6 });
  });
});

describe('DuckDB lockdown: memory', () => {
  it('caps memory per session (a quarter of the machine by default, or as asked) and the cap cannot be lifted', async () => {
    const temp = await mkdtemp(path.join(tmpdir(), 'sluice-mem-'));
    const session = await openDuckSession(temp, { memoryLimitMb: 300 });
    try {
      const limit = (await session.connection.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows()[0]?.[0];
      expect(String(limit)).toMatch(/^(300\.0 MiB|314\.5 MB)$/);
      await expect(session.connection.run(`SET memory_limit = '100GB'`)).rejects.toThrow(/locked/);
    } finally {
      session.close();
      await rm(temp, { recursive: true, force: true });
    }
  });
});
