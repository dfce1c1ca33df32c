// The REST source end to end: a real HTTP server on 127.0.0.1, the compiled
// pipeline run by the engine on DuckDB, the result read back from Parquet.
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { executePlan } from '../../engine/execute';
import { AppError, isTransientError } from '../../errors';
import { FORMAT_VERSION } from '../../pipeline/model';
import { quoteString } from '../../sql/ast';
import { emptyAllowList, parseAllowList } from './address-policy';
import { backoffMs, nextLink, retryAfterMs, type HttpSourceOptions } from './fetch-records';

interface Seen {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

type Handler = (req: Seen, res: ServerResponse) => void;

/** A local HTTP server whose answers each test sets; it records every request. */
async function startServer() {
  const state = { handler: ((_req, res) => res.end('[]')) as Handler, seen: [] as Seen[] };
  const server = http.createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://test'), headers: req.headers, body: Buffer.concat(chunks).toString(), at: performance.now() };
      state.seen.push(seen);
      state.handler(seen, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

let server: Awaited<ReturnType<typeof startServer>>;
let root: string;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  server.state.seen = [];
  root = await mkdtemp(path.join(tmpdir(), 'sluice-rest-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const secrets: Record<string, string> = {
  SLUICE_SECRET_TOKEN: 'tok-secret-123',
  SLUICE_SECRET_PASSWORD: 'pa:ss-word',
  SLUICE_SECRET_KEY: 'key-abcdef',
  SLUICE_SECRET_CLIENT: 'client-secret-xyz',
};
/** Tests reach their own server on 127.0.0.1, which the default policy refuses. */
const allowLoopback = parseAllowList('127.0.0.1/32');
const testOptions: Partial<HttpSourceOptions> = { allow: allowLoopback, secret: (name) => secrets[name], retryBaseMs: 10 };

const idName = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
];

interface RunOutcome {
  rows: Record<string, unknown>[];
  logs: string[];
}

async function run(config: Record<string, unknown>, options: Partial<HttpSourceOptions> = {}): Promise<RunOutcome> {
  const doc = {
    formatVersion: FORMAT_VERSION,
    nodes: [
      { id: 'api', kind: 'rest-source', version: 1, position: { x: 0, y: 0 }, config: { columns: idName, requestsPerSecond: 0, ...config } },
      { id: 'sink', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'parquet', path: 'out/result.parquet' } },
    ],
    edges: [{ id: 'e', source: { node: 'api', port: 'output' }, target: { node: 'sink', port: 'input' } }],
  };
  const compiled = compile(doc);
  if (!compiled.plan) throw new Error(`Does not compile: ${JSON.stringify(compiled.diagnostics)}`);
  const logs: string[] = [];
  await executePlan(compiled.plan, {
    workspaceRoot: root,
    tempDir: path.join(root, '.tmp'),
    policy: { retries: 0 },
    onLog: (line) => logs.push(line.message),
    http: { ...testOptions, ...options },
  });
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quoteString(path.join(root, 'out/result.parquet'))})`);
    return { rows: reader.getRowObjectsJson(), logs };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function runError(config: Record<string, unknown>, options: Partial<HttpSourceOptions> = {}): Promise<AppError> {
  const error = await run(config, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const people = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `person ${i + 1}` }));
const rowsOf = (items: { id: number; name: string }[]) => items.map((p) => ({ id: String(p.id), name: p.name }));

describe('pagination', () => {
  it('none: one request, records at the root', async () => {
    server.state.handler = (_req, res) => json(res, people);
    const { rows } = await run({ url: `${server.origin}/people` });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen).toHaveLength(1);
    expect(server.state.seen[0]?.headers.accept).toBe('application/json');
  });

  it('offset and limit: stops at the first short page', async () => {
    server.state.handler = (req, res) => {
      const offset = Number(req.url.searchParams.get('skip'));
      const limit = Number(req.url.searchParams.get('take'));
      json(res, { data: { items: people.slice(offset, offset + limit) } });
    };
    const { rows } = await run({ url: `${server.origin}/people?sort=id`, pagination: 'offset', offsetParam: 'skip', limitParam: 'take', pageSize: 2, recordsPath: 'data.items' });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen.map((r) => r.url.search)).toEqual(['?sort=id&skip=0&take=2', '?sort=id&skip=2&take=2', '?sort=id&skip=4&take=2']);
  });

  it('offset and limit: an exact multiple ends with an empty page', async () => {
    server.state.handler = (req, res) => json(res, people.slice(0, 4).slice(Number(req.url.searchParams.get('offset')), Number(req.url.searchParams.get('offset')) + 2));
    const { rows } = await run({ url: `${server.origin}/people`, pagination: 'offset', pageSize: 2 });
    expect(rows).toHaveLength(4);
    expect(server.state.seen).toHaveLength(3);
  });

  it('page number with a page size parameter: stops at a short page', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('p'));
      const size = Number(req.url.searchParams.get('per_page'));
      json(res, { results: people.slice(page * size, page * size + size) });
    };
    const { rows } = await run({ url: `${server.origin}/people`, pagination: 'page', pageParam: 'p', startPage: 0, sizeParam: 'per_page', pageSize: 2, recordsPath: '$.results' });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen.map((r) => r.url.searchParams.get('p'))).toEqual(['0', '1', '2']);
  });

  it('page number without a size: stops at an empty page', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('page'));
      json(res, people.slice((page - 1) * 3, page * 3));
    };
    const { rows } = await run({ url: `${server.origin}/people`, pagination: 'page' });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2', '3']);
  });

  it('cursor: sends the cursor from the previous page until there is none', async () => {
    server.state.handler = (req, res) => {
      const start = Number(req.url.searchParams.get('after') ?? 0);
      const items = people.slice(start, start + 2);
      json(res, { items, meta: { next: start + 2 < people.length ? String(start + 2) : null } });
    };
    const { rows } = await run({ url: `${server.origin}/people`, pagination: 'cursor', cursorParam: 'after', cursorPath: 'meta.next', recordsPath: 'items' });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen.map((r) => r.url.searchParams.get('after'))).toEqual([null, '2', '4']);
  });

  it('cursor in the JSON body of a POST', async () => {
    server.state.handler = (req, res) => {
      const body = JSON.parse(req.body) as { cursor?: string; filter: string };
      expect(body.filter).toBe('all');
      const start = Number(body.cursor ?? 0);
      json(res, { items: people.slice(start, start + 3), next: start + 3 < people.length ? start + 3 : null });
    };
    const { rows } = await run({ url: `${server.origin}/search`, method: 'POST', body: '{"filter": "all"}', pagination: 'cursor', cursorPath: 'next', paramsIn: 'body', recordsPath: 'items' });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen.map((r) => [r.method, r.headers['content-type'], r.body])).toEqual([
      ['POST', 'application/json', '{"filter":"all"}'],
      ['POST', 'application/json', '{"filter":"all","cursor":"3"}'],
    ]);
  });

  it('Link rel="next" header, relative or absolute', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('page') ?? 1);
      const links = [`<${server.origin}/people?page=1>; rel="first"`];
      if (page === 1) links.push('</people?page=2>; rel="next"');
      if (page === 2) links.push(`<${server.origin}/people?page=3>; rel="next last"`);
      json(res, people.slice((page - 1) * 2, page * 2), 200, { link: links.join(', ') });
    };
    const { rows } = await run({ url: `${server.origin}/people`, pagination: 'linkHeader' });
    expect(rows).toEqual(rowsOf(people));
    expect(server.state.seen).toHaveLength(3);
  });

  it('next-page URL from the body', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('page') ?? 1);
      json(res, { data: people.slice((page - 1) * 2, page * 2), links: { next: page < 3 ? `/people?page=${page + 1}` : null } });
    };
    const { rows } = await run({ url: `${server.origin}/people`, pagination: 'nextUrl', nextUrlPath: 'links.next', recordsPath: 'data' });
    expect(rows).toEqual(rowsOf(people));
  });

  it('stops at the page limit and says so in the log', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('page'));
      json(res, [{ id: page, name: `p${page}` }]);
    };
    const { rows, logs } = await run({ url: `${server.origin}/endless`, pagination: 'page', maxPages: 3 });
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(server.state.seen).toHaveLength(3);
    expect(logs).toContainEqual(expect.stringMatching(/Stopped after 3 pages, the node's limit/));
  });

  it('stops at the record limit', async () => {
    server.state.handler = (_req, res) => json(res, people);
    const { rows, logs } = await run({ url: `${server.origin}/people`, maxRecords: 3 });
    expect(rows).toEqual(rowsOf(people.slice(0, 3)));
    expect(logs).toContainEqual(expect.stringMatching(/Stopped after 3 records/));
  });

  it('refuses a cursor that repeats instead of looping forever', async () => {
    server.state.handler = (_req, res) => json(res, { items: people, next: 'same' });
    const error = await runError({ url: `${server.origin}/people`, pagination: 'cursor', cursorPath: 'next', recordsPath: 'items' });
    expect(error.code).toBe('HTTP_INVALID_RESPONSE');
    expect(error.message).toMatch(/Page 2 gives the cursor "same" a second time/);
  });

  it('loads many records through several small batches, in order', async () => {
    const many = Array.from({ length: 1234 }, (_, i) => ({ id: i, name: `n${i}` }));
    server.state.handler = (req, res) => {
      const offset = Number(req.url.searchParams.get('offset'));
      json(res, many.slice(offset, offset + 500));
    };
    const { rows } = await run({ url: `${server.origin}/many`, pagination: 'offset', pageSize: 500 }, { batchRecords: 100 });
    expect(rows).toEqual(rowsOf(many));
    // Batch files are removed as soon as DuckDB has read them.
    expect(await readdir(root)).not.toContain('.tmp');
  });
});

describe('authentication', () => {
  it('bearer token from a secret reference', async () => {
    server.state.handler = (_req, res) => json(res, people);
    await run({ url: `${server.origin}/p`, auth: 'bearer', token: '{{env:SLUICE_SECRET_TOKEN}}' });
    expect(server.state.seen[0]?.headers.authorization).toBe('Bearer tok-secret-123');
  });

  it('basic', async () => {
    server.state.handler = (_req, res) => json(res, people);
    await run({ url: `${server.origin}/p`, auth: 'basic', username: 'ann', password: '{{env:SLUICE_SECRET_PASSWORD}}' });
    expect(server.state.seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('ann:pa:ss-word').toString('base64')}`);
  });

  it('API key in a header', async () => {
    server.state.handler = (_req, res) => json(res, people);
    await run({ url: `${server.origin}/p`, auth: 'apiKey', apiKeyIn: 'header', apiKeyName: 'X-Api-Key', apiKeyValue: '{{env:SLUICE_SECRET_KEY}}' });
    expect(server.state.seen[0]?.headers['x-api-key']).toBe('key-abcdef');
  });

  it('API key in a query parameter, on every page, and redacted from errors', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('page') ?? 1);
      if (page === 3) {
        json(res, { error: 'nope' }, 404);
        return;
      }
      json(res, people.slice(0, 1), 200, { link: `</p?page=${page + 1}>; rel="next"` });
    };
    const error = await runError({ url: `${server.origin}/p`, pagination: 'linkHeader', auth: 'apiKey', apiKeyIn: 'query', apiKeyName: 'api_key', apiKeyValue: '{{env:SLUICE_SECRET_KEY}}' });
    expect(server.state.seen.map((r) => r.url.searchParams.get('api_key'))).toEqual(['key-abcdef', 'key-abcdef', 'key-abcdef']);
    expect(error.details).toMatchObject({ nodeId: 'api', httpStatus: 404 });
    expect(error.message).toContain('api_key=REDACTED');
    expect(error.message).toContain('page 3');
    expect(error.message).not.toContain('key-abcdef');
    expect(isTransientError(error)).toBe(false);
  });

  it('OAuth2 client credentials: fetches a token, caches it, and refreshes it once on 401', async () => {
    let issued = 0;
    const valid = new Set<string>();
    server.state.handler = (req, res) => {
      if (req.url.pathname === '/oauth/token') {
        expect(req.method).toBe('POST');
        expect(req.headers.authorization).toBe(`Basic ${Buffer.from('my-client:client-secret-xyz').toString('base64')}`);
        const form = new URLSearchParams(req.body);
        expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'read:people' });
        const token = `token-${++issued}`;
        // The first token is revoked straight away: the API answers 401 and the source must renew it.
        if (issued > 1) valid.add(token);
        json(res, { access_token: token, token_type: 'Bearer', expires_in: 3600 }); return;
      }
      if (!valid.has((req.headers.authorization ?? '').replace('Bearer ', ''))) { json(res, { error: 'invalid_token' }, 401); return; }
      json(res, people);
    };
    const config = { url: `${server.origin}/p`, auth: 'oauth2', tokenUrl: `${server.origin}/oauth/token`, clientId: 'my-client', clientSecret: '{{env:SLUICE_SECRET_CLIENT}}', scope: 'read:people' };
    const { rows } = await run(config);
    expect(rows).toHaveLength(5);
    expect(server.state.seen.map((r) => (r.url.pathname === '/p' ? `/p ${r.headers.authorization ?? ''}` : r.url.pathname))).toEqual([
      '/oauth/token',
      '/p Bearer token-1',
      '/oauth/token',
      '/p Bearer token-2',
    ]);
    // A second run reuses the cached token.
    server.state.seen = [];
    await run(config);
    expect(server.state.seen.map((r) => r.url.pathname)).toEqual(['/p']);
  });

  it('OAuth2: a 401 after the refresh fails with the status', async () => {
    server.state.handler = (req, res) => (req.url.pathname === '/token' ? json(res, { access_token: 'never-good' }) : json(res, {}, 401));
    const error = await runError({ url: `${server.origin}/p`, auth: 'oauth2', tokenUrl: `${server.origin}/token`, clientId: 'c2', clientSecret: '{{env:SLUICE_SECRET_CLIENT}}' });
    expect(error.details.httpStatus).toBe(401);
    expect(server.state.seen.map((r) => r.url.pathname)).toEqual(['/token', '/p', '/token', '/p']);
  });

  it('keeps secrets out of error messages even when the API echoes them', async () => {
    server.state.handler = (req, res) => json(res, { error: `bad credentials ${req.headers.authorization ?? ''}` }, 403);
    const error = await runError({ url: `${server.origin}/p`, auth: 'bearer', token: '{{env:SLUICE_SECRET_TOKEN}}' });
    expect(error.details.httpStatus).toBe(403);
    expect(error.message).toContain('bad credentials Bearer REDACTED');
    expect(error.message).not.toContain('tok-secret-123');
  });

  it('a reference to an unset variable fails before any request', async () => {
    const error = await runError({ url: `${server.origin}/p`, auth: 'bearer', token: '{{env:SLUICE_SECRET_MISSING}}' });
    expect(error.code).toBe('SECRET_NOT_SET');
    expect(error.message).toContain('SLUICE_SECRET_MISSING');
    expect(server.state.seen).toHaveLength(0);
  });
});

describe('retries', () => {
  it('429 with Retry-After in seconds, then success', async () => {
    let calls = 0;
    server.state.handler = (_req, res) => (++calls === 1 ? json(res, { error: 'slow down' }, 429, { 'retry-after': '1' }) : json(res, people));
    const { rows, logs } = await run({ url: `${server.origin}/p` });
    expect(rows).toHaveLength(5);
    const [first, second] = server.state.seen;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(logs).toContainEqual(expect.stringMatching(/answered 429; retrying in 1\.0 s \(attempt 2 of 5\)/));
  });

  it('Retry-After as an HTTP date', async () => {
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:29:00 GMT'))).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    let calls = 0;
    server.state.handler = (_req, res) => (++calls === 1 ? json(res, {}, 503, { 'retry-after': new Date(Date.now() + 1000).toUTCString() }) : json(res, people));
    const { rows } = await run({ url: `${server.origin}/p` });
    expect(rows).toHaveLength(5);
  });

  it('500 then success, with backoff', async () => {
    let calls = 0;
    server.state.handler = (_req, res) => (++calls <= 2 ? json(res, { error: 'boom' }, 500) : json(res, people));
    const { rows } = await run({ url: `${server.origin}/p` });
    expect(rows).toHaveLength(5);
    expect(server.state.seen).toHaveLength(3);
  });

  it('a persistent 500 fails with a typed, transient error naming node, URL and page', async () => {
    server.state.handler = (_req, res) => json(res, { error: 'database down' }, 500);
    const error = await runError({ url: `${server.origin}/p?x=1`, maxRetries: 2 });
    expect(server.state.seen).toHaveLength(3);
    expect(error.code).toBe('HTTP_REQUEST_FAILED');
    expect(error.details).toMatchObject({ nodeId: 'api', httpStatus: 500, attempts: 3, url: `${server.origin}/p?x=1` });
    expect(error.message).toBe(`GET ${server.origin}/p?x=1 (page 1) answered 500 Internal Server Error after 3 attempts: {"error":"database down"}`);
    expect(isTransientError(error)).toBe(true);
  });

  it('a network error is retried, then fails as transient', async () => {
    const closed = await startServer();
    await closed.close();
    const error = await runError({ url: `${closed.origin}/gone`, maxRetries: 1 });
    expect(error.code).toBe('HTTP_REQUEST_FAILED');
    expect(error.message).toMatch(/failed after 2 attempt\(s\): .*ECONNREFUSED/);
    expect(isTransientError(error)).toBe(true);
  });

  it('a request Node cannot send is not retried', async () => {
    const error = await runError({ url: `${server.origin}/p`, auth: 'bearer', token: '{{env:SLUICE_SECRET_BROKEN}}' }, { secret: (name) => (name === 'SLUICE_SECRET_BROKEN' ? 'a\nb' : undefined) });
    expect(error.code).toBe('HTTP_REQUEST_FAILED');
    expect(error.message).toMatch(/could not be sent/);
    expect(isTransientError(error)).toBe(false);
    expect(server.state.seen).toHaveLength(0);
  });

  it('a Retry-After longer than allowed fails at once', async () => {
    server.state.handler = (_req, res) => json(res, {}, 429, { 'retry-after': '3600' });
    const error = await runError({ url: `${server.origin}/p` });
    expect(error.message).toMatch(/asked to wait 3600 s/);
    expect(server.state.seen).toHaveLength(1);
  });

  it('backoff grows exponentially with jitter', () => {
    expect([1, 2, 3].map((a) => backoffMs(100, a, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((a) => backoffMs(100, a, () => 1))).toEqual([100, 200, 400]);
  });
});

describe('responses and records', () => {
  it('malformed JSON names the page', async () => {
    server.state.handler = (req, res) => {
      if (req.url.searchParams.get('page') === '2') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('<html>oops</html>');
      }
      json(res, people.slice(0, 1));
    };
    const error = await runError({ url: `${server.origin}/p`, pagination: 'page' });
    expect(error.code).toBe('HTTP_INVALID_RESPONSE');
    expect(error.details).toMatchObject({ nodeId: 'api', page: 2 });
    expect(error.message).toMatch(/^Page 2 is not valid JSON: .*; it starts with "<html>oops<\/html>" \(page 2 of GET http:\/\/127\.0\.0\.1:\d+\/p\?page=2\)$/);
  });

  it('a records path that is not there names the keys that are', async () => {
    server.state.handler = (_req, res) => json(res, { results: people, count: 5 });
    const error = await runError({ url: `${server.origin}/p`, recordsPath: 'data.items' });
    expect(error.message).toMatch(/Page 1 has nothing at the records path "data\.items" \(its top-level keys: results, count\)/);
  });

  it('reads nested fields and converts values to the declared types', async () => {
    server.state.handler = (_req, res) =>
      json(res, {
        data: [
          { id: '12', user: { name: 'Zoë', address: { city: 'Köln' } }, price: 9.5, paid: true, day: '2024-02-29', at: '2024-05-01T12:30:00+02:00', tags: ['a', 'b'] },
          { id: 13, user: { name: null }, price: '1e3', paid: 'FALSE', day: null, at: '2024-05-01 08:00:00', tags: { k: 1 } },
          { id: -7, price: 0, paid: false, at: '2024-05-01T00:00:00Z' },
        ],
      });
    const columns = [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'string', field: 'user.name' },
      { name: 'city', type: 'string', field: 'user.address.city' },
      { name: 'price', type: 'float' },
      { name: 'paid', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'timestamp' },
      { name: 'tags', type: 'string' },
      { name: 'first_tag', type: 'string', field: 'tags.0' },
    ];
    const { rows } = await run({ url: `${server.origin}/p`, recordsPath: 'data', columns });
    expect(rows).toEqual([
      { id: '12', name: 'Zoë', city: 'Köln', price: 9.5, paid: true, day: '2024-02-29', at: '2024-05-01 10:30:00', tags: '["a","b"]', first_tag: 'a' },
      { id: '13', name: null, city: null, price: 1000, paid: false, day: null, at: '2024-05-01 08:00:00', tags: '{"k":1}', first_tag: null },
      { id: '-7', name: null, city: null, price: 0, paid: false, day: null, at: '2024-05-01 00:00:00', tags: null, first_tag: null },
    ]);
  });

  it('a value that does not fit its column names the record, page and column', async () => {
    server.state.handler = (req, res) => json(res, req.url.searchParams.get('page') === '1' ? people.slice(0, 2) : [{ id: 3, name: 'x' }, { id: 4.5, name: 'y' }]);
    const error = await runError({ url: `${server.origin}/p`, pagination: 'page', pageSize: 2, sizeParam: 'size' });
    expect(error.code).toBe('HTTP_RECORD_INVALID');
    expect(error.message).toBe('Record 2 of page 2 (record 4 overall): field "id" for column "id": 4.5 is not an integer');
    expect(error.details).toMatchObject({ nodeId: 'api', page: 2, record: 4, column: 'id' });
  });

  it('an empty answer gives an empty table with the declared columns', async () => {
    server.state.handler = (_req, res) => json(res, { items: null });
    const { rows } = await run({ url: `${server.origin}/p`, recordsPath: 'items' });
    expect(rows).toEqual([]);
  });
});

describe('rate limit', () => {
  it('spaces requests at least 1/rate seconds apart', async () => {
    server.state.handler = (req, res) => {
      const page = Number(req.url.searchParams.get('page'));
      json(res, page <= 4 ? [{ id: page, name: 'x' }] : []);
    };
    const started = performance.now();
    await run({ url: `${server.origin}/p`, pagination: 'page', requestsPerSecond: 10 });
    const times = server.state.seen.map((r) => r.at);
    expect(times).toHaveLength(5);
    // Starts are spaced 100 ms apart on the client, so five requests take at least 400 ms. Arrival times
    // on a busy machine jitter by tens of ms; without rate limiting they would be about 1 ms apart.
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(20);
  });
});

describe('address safety', () => {
  it('refuses 127.0.0.1 unless the administrator allows it', async () => {
    server.state.handler = (_req, res) => json(res, people);
    const error = await runError({ url: `${server.origin}/p` }, { allow: emptyAllowList });
    expect(error.code).toBe('HTTP_ADDRESS_REFUSED');
    expect(error.message).toMatch(/127\.0\.0\.1 is a loopback address; HTTP sources may not reach private, loopback or link-local addresses \(an administrator can allow them with SLUICE_HTTP_ALLOW_PRIVATE\)/);
    expect(error.details.nodeId).toBe('api');
    expect(isTransientError(error)).toBe(false);
    expect(server.state.seen).toHaveLength(0);
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['a private address', 'http://10.1.2.3/', /10\.1\.2\.3 is a private address/],
    ['a host name resolving to loopback', 'http://localhost:9/', /localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/],
    ['IPv6 loopback', 'http://[::1]:9/', /::1 is a loopback address/],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:9/', /::ffff:7f00:1 is a loopback address/],
    ['0.0.0.0', 'http://0.0.0.0:9/', /0\.0\.0\.0 is a "this network" address/],
    ['a decimal-encoded loopback', 'http://2130706433:9/', /127\.0\.0\.1 is a loopback address/],
  ])('refuses %s', async (_what, url, message) => {
    const error = await runError({ url }, { allow: emptyAllowList });
    expect(error.code).toBe('HTTP_ADDRESS_REFUSED');
    expect(error.message).toMatch(message);
  });

  it('refuses file:// and ftp:// in the settings', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://example.com/']) {
      const compiled = compile({
        formatVersion: FORMAT_VERSION,
        nodes: [{ id: 'api', kind: 'rest-source', version: 1, position: { x: 0, y: 0 }, config: { url, columns: idName } }],
        edges: [],
      });
      expect(compiled.plan).toBeNull();
      expect(compiled.diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'api', message: expect.stringMatching(/Only http:\/\/ and https:\/\/ URLs can be fetched/) as unknown }));
    }
  });

  it('refuses a redirect from an allowed host to a private address', async () => {
    server.state.handler = (req, res) => {
      res.writeHead(302, { location: req.url.pathname === '/meta' ? 'http://169.254.169.254/latest/meta-data/' : `http://127.0.0.2:${req.url.port || server.origin.split(':')[2]}/p` });
      res.end();
    };
    for (const path of ['/meta', '/loop']) {
      const error = await runError({ url: `${server.origin}${path}` });
      expect(error.code).toBe('HTTP_ADDRESS_REFUSED');
      expect(error.message).toMatch(path === '/meta' ? /169\.254\.169\.254 is a link-local address/ : /127\.0\.0\.2 is a loopback address/);
    }
    expect(server.state.seen).toHaveLength(2);
  });

  it('refuses a redirect to file://', async () => {
    server.state.handler = (_req, res) => {
      res.writeHead(301, { location: 'file:///etc/passwd' });
      res.end();
    };
    const error = await runError({ url: `${server.origin}/p` });
    expect(error.message).toMatch(/file:\/\/ URLs are refused/);
  });

  it('follows allowed redirects, dropping credentials when the origin changes', async () => {
    const other = await startServer();
    try {
      other.state.handler = (_req, res) => json(res, people);
      server.state.handler = (_req, res) => {
        res.writeHead(307, { location: `${other.origin}/moved` });
        res.end();
      };
      const { rows } = await run({ url: `${server.origin}/p`, auth: 'bearer', token: '{{env:SLUICE_SECRET_TOKEN}}', headers: [{ name: 'X-Trace', value: 'abc' }] });
      expect(rows).toHaveLength(5);
      expect(server.state.seen[0]?.headers.authorization).toBe('Bearer tok-secret-123');
      expect(other.state.seen[0]?.headers.authorization).toBeUndefined();
      expect(other.state.seen[0]?.headers['x-trace']).toBe('abc');
    } finally {
      await other.close();
    }
  });

  it('connects to the checked address of an allowed host name', async () => {
    server.state.handler = (_req, res) => json(res, people);
    const port = server.origin.split(':')[2] ?? '';
    const { rows } = await run({ url: `http://localhost:${port}/p` }, { allow: parseAllowList('localhost') });
    expect(rows).toHaveLength(5);
    expect(server.state.seen[0]?.headers.host).toBe(`localhost:${port}`);
  });

  it('gives up after 5 redirects', async () => {
    server.state.handler = (req, res) => {
      res.writeHead(302, { location: `/hop${Number(req.url.pathname.slice(4) || 0) + 1}` });
      res.end();
    };
    const error = await runError({ url: `${server.origin}/hop0` });
    expect(error.message).toMatch(/More than 5 redirects/);
    expect(server.state.seen).toHaveLength(6);
  });
});

describe('helpers', () => {
  it('reads rel="next" among other links', () => {
    const base = new URL('https://api.example.com/v1/items?page=1');
    expect(nextLink('<https://api.example.com/v1/items?page=1>; rel="prev", <?page=2>; rel="next"', base)?.toString()).toBe('https://api.example.com/v1/items?page=2');
    expect(nextLink('<https://x.example/last>; rel=last', base)).toBeUndefined();
    expect(nextLink(undefined, base)).toBeUndefined();
  });
});
