// The REST source's engine side: requests pages from an HTTP API (auth,
// pagination, rate limit, retries with backoff), pulls the records out of each
// page and loads them into a DuckDB table in batches. One page and one batch
// are in memory at a time. Secrets are resolved here, at request time, and are
// kept out of every message: URLs are shown with credential parameters
// redacted and headers are never logged.
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { env } from '../../env';
import { AppError, errorMessage, isTransientError } from '../../errors';
import { parseJsonPath, valueAtPath } from '../../pipeline/json-path';
import { credentialNamePattern, substituteSecrets } from '../../pipeline/secret-reference';
import type { StageOp } from '../../sql/ops';
import { parseAllowList, type AddressAllowList } from './address-policy';
import { columnValue, NdjsonTableLoader } from './records';
import { safeRequest, type SafeResponse } from './safe-http';

type FetchHttpOp = Extract<StageOp, { op: 'fetchHttp' }>;

export interface HttpSourceOptions {
  /** Private addresses and host names the administrator allows (SLUICE_HTTP_ALLOW_PRIVATE). */
  allow: AddressAllowList;
  /** Value of a {{env:…}} secret; the process environment by default. */
  secret: (name: string) => string | undefined;
  /** First backoff delay; each further retry waits about twice as long. */
  retryBaseMs: number;
  /** A longer wait (from Retry-After, or backoff) fails the request instead. */
  maxRetryWaitMs: number;
  maxPageBytes: number;
  /** Records per NDJSON batch loaded into DuckDB. */
  batchRecords: number;
}

const defaultOptions: Omit<HttpSourceOptions, 'allow'> = {
  secret: (name) => process.env[name],
  retryBaseMs: 1_000,
  maxRetryWaitMs: 120_000,
  maxPageBytes: 64 * 1024 * 1024,
  batchRecords: 5_000,
};

/** The defaults with `overrides` applied; the allow-list comes from the environment unless given. */
export function httpSourceOptions(overrides: Partial<HttpSourceOptions> = {}): HttpSourceOptions {
  return { ...defaultOptions, ...overrides, allow: overrides.allow ?? parseAllowList(env().SLUICE_HTTP_ALLOW_PRIVATE) };
}

export interface FetchHttpContext {
  nodeId: string;
  tempDir: string;
  signal?: AbortSignal | undefined;
  onLog?: ((line: { nodeId: string; level: 'info' | 'warn' | 'error'; message: string }) => void) | undefined;
  /** Overrides of the defaults (tests allow loopback here). */
  options?: Partial<HttpSourceOptions> | undefined;
}


function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AppError('RUN_CANCELLED', 'The run was cancelled'));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new AppError('RUN_CANCELLED', 'The run was cancelled'));
      },
      { once: true },
    );
  });
}

/** Full jitter over an exponentially growing ceiling: attempt 1 waits base/2..base, attempt 2 base..2×base… */
export function backoffMs(baseMs: number, attempt: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as a delay: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The rel="next" target of a Link header, resolved against the page's URL. */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  if (!text) return undefined;
  for (const match of text.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(match[2] ?? '')?.[1] ?? '';
    if (rel.toLowerCase().split(/\s+/).includes('next')) return URL.canParse(match[1] ?? '', base) ? new URL(match[1] ?? '', base) : undefined;
  }
  return undefined;
}

/** Spaces request starts at least 1/rate seconds apart. */
class RateLimiter {
  private nextAt = 0;
  constructor(private readonly intervalMs: number) {}
  async wait(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await sleep(at - now, signal);
  }
}

/** OAuth2 tokens by token URL, client and scope, shared by runs until they expire. */
const tokenCache = new Map<string, { token: string; expiresAt: number }>();

interface PageRequest {
  url: URL;
  body: Record<string, unknown> | unknown[] | null;
}

export async function fetchHttpRecords(conn: DuckDBConnection, op: FetchHttpOp, ctx: FetchHttpContext): Promise<void> {
  const options = httpSourceOptions(ctx.options);
  const spec = op.source;
  const secretValues = new Set<string>();
  const resolve = (text: string, encode?: (v: string) => string) =>
    substituteSecrets(
      text,
      (name) => {
        const value = options.secret(name);
        if (value) secretValues.add(value);
        return value;
      },
      (name) => new AppError('SECRET_NOT_SET', `The setting refers to {{env:${name}}}, but the server has no ${name} environment variable`, { nodeId: ctx.nodeId, transient: false }),
      encode,
    );

  // Requests ----------------------------------------------------------------
  const firstUrl = new URL(resolve(spec.url));
  for (const { name, value } of spec.query) firstUrl.searchParams.append(name, resolve(value));
  const auth = spec.auth;
  const apiKeyParam = auth.type === 'apiKey' && auth.in === 'query' ? { name: auth.name, value: resolve(auth.value) } : undefined;
  if (apiKeyParam) firstUrl.searchParams.set(apiKeyParam.name, apiKeyParam.value);
  const baseHeaders: Record<string, string> = { accept: 'application/json', 'user-agent': 'Sluice' };
  const credentialHeaders = new Set(['authorization', 'cookie', 'proxy-authorization']);
  for (const { name, value } of spec.headers) {
    baseHeaders[name.toLowerCase()] = resolve(value);
    if (credentialNamePattern.test(name) || value.includes('{{env:')) credentialHeaders.add(name.toLowerCase());
  }
  if (auth.type === 'bearer') baseHeaders.authorization = `Bearer ${resolve(auth.token)}`;
  if (auth.type === 'basic') baseHeaders.authorization = `Basic ${Buffer.from(`${resolve(auth.username)}:${resolve(auth.password)}`).toString('base64')}`;
  if (auth.type === 'apiKey' && auth.in === 'header') {
    baseHeaders[auth.name.toLowerCase()] = resolve(auth.value);
    credentialHeaders.add(auth.name.toLowerCase());
  }
  for (const value of Object.values(baseHeaders)) if (value.startsWith('Basic ')) secretValues.add(value.slice(6));
  const body: PageRequest['body'] = spec.body === null ? null : (JSON.parse(resolve(spec.body, (v) => JSON.stringify(v).slice(1, -1))) as PageRequest['body']);

  const redact = (url: URL): string => {
    const shown = new URL(url);
    for (const name of [...new Set(shown.searchParams.keys())]) {
      const values = shown.searchParams.getAll(name);
      if (credentialNamePattern.test(name) || name === apiKeyParam?.name || values.some((v) => [...secretValues].some((s) => v.includes(s)))) shown.searchParams.set(name, 'REDACTED');
    }
    shown.username = '';
    shown.password = '';
    return shown.toString();
  };
  const scrub = (text: string): string => [...secretValues].reduce((t, s) => (s.length >= 4 ? t.split(s).join('REDACTED') : t), text);
  const log = (level: 'info' | 'warn', message: string) => ctx.onLog?.({ nodeId: ctx.nodeId, level, message: scrub(message) });

  const limiter = spec.requestsPerSecond === null ? undefined : new RateLimiter(1000 / spec.requestsPerSecond);

  /** Sends with retries on 429, 5xx and network errors; `what` names the request in messages. */
  const send = async (request: { url: URL; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }, what: string, hooks: { limited: boolean; onUnauthorized?: () => Promise<Record<string, string> | undefined> }): Promise<SafeResponse> => {
    let headers = request.headers;
    let refreshed = false;
    const describeRequest = () => `${request.method} ${redact(request.url)} (${what})`;
    for (let attempt = 1; ; attempt++) {
      if (hooks.limited) await limiter?.wait(ctx.signal);
      let response: SafeResponse;
      try {
        response = await safeRequest(
          { ...request, headers, timeoutMs: spec.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}), maxBodyBytes: options.maxPageBytes, credentialHeaders: [...credentialHeaders] },
          options.allow,
        );
      } catch (error) {
        if (ctx.signal?.aborted) throw new AppError('RUN_CANCELLED', 'The run was cancelled', { nodeId: ctx.nodeId });
        if (error instanceof AppError) throw new AppError(error.code, `${describeRequest()}: ${scrub(error.message)}`, { ...error.details, nodeId: ctx.nodeId, url: redact(request.url) }, { cause: error });
        const reason = scrub(errorMessage(error));
        // Only failures of the network are worth another attempt; e.g. a header Node refuses to send is not.
        if (!isTransientError(error)) throw new AppError('HTTP_REQUEST_FAILED', `${describeRequest()} could not be sent: ${reason}`, { nodeId: ctx.nodeId, url: redact(request.url), transient: false }, { cause: error });
        if (attempt > spec.maxRetries) {
          throw new AppError('HTTP_REQUEST_FAILED', `${describeRequest()} failed after ${attempt} attempt(s): ${reason}`, { nodeId: ctx.nodeId, url: redact(request.url), attempts: attempt, transient: true }, { cause: error });
        }
        const delay = Math.min(backoffMs(options.retryBaseMs, attempt), options.maxRetryWaitMs);
        log('warn', `${describeRequest()} failed (${reason}); retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${spec.maxRetries + 1})`);
        await sleep(delay, ctx.signal);
        continue;
      }
      const { status } = response;
      if (status === 401 && hooks.onUnauthorized && !refreshed) {
        refreshed = true;
        const renewed = await hooks.onUnauthorized();
        if (renewed) {
          headers = { ...headers, ...renewed };
          attempt--; // a token refresh is not a failed attempt
          continue;
        }
      }
      if (status >= 200 && status < 300) return response;
      const snippet = scrub(response.body.toString('utf8', 0, 300).replace(/\s+/g, ' ').trim());
      const failure = (extra = '') =>
        new AppError('HTTP_REQUEST_FAILED', `${describeRequest()} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}${attempt > 1 ? ` after ${attempt} attempts` : ''}${extra}${snippet ? `: ${snippet}` : ''}`, {
          nodeId: ctx.nodeId,
          httpStatus: status,
          url: redact(request.url),
          attempts: attempt,
        });
      const retryable = status === 429 || status >= 500;
      if (!retryable || attempt > spec.maxRetries) throw failure();
      const delay = retryAfterMs(response.headers['retry-after']) ?? backoffMs(options.retryBaseMs, attempt);
      if (delay > options.maxRetryWaitMs) throw failure(` (asked to wait ${Math.round(delay / 1000)} s, longer than the ${Math.round(options.maxRetryWaitMs / 1000)} s allowed)`);
      log('warn', `${describeRequest()} answered ${status}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${spec.maxRetries + 1})`);
      await sleep(delay, ctx.signal);
    }
  };

  // OAuth2 client credentials --------------------------------------------------
  const oauthToken = async (force: boolean): Promise<string | undefined> => {
    if (auth.type !== 'oauth2') return undefined;
    const clientId = resolve(auth.clientId);
    const clientSecret = resolve(auth.clientSecret);
    const tokenUrl = new URL(resolve(auth.tokenUrl));
    const key = createHash('sha256').update(JSON.stringify([tokenUrl.toString(), clientId, clientSecret, auth.scope])).digest('hex');
    const cached = tokenCache.get(key);
    if (!force && cached && cached.expiresAt > Date.now()) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    // client_secret_basic, which RFC 6749 requires every server to support.
    const basic = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
    const response = await send(
      {
        url: tokenUrl,
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
        body: form.toString(),
      },
      'OAuth2 token request',
      { limited: false },
    );
    let answer: unknown;
    try {
      answer = JSON.parse(response.body.toString('utf8'));
    } catch {
      answer = undefined;
    }
    const token = valueAtPath(answer, ['access_token']);
    if (typeof token !== 'string' || token === '') throw new AppError('HTTP_INVALID_RESPONSE', `The OAuth2 token endpoint ${redact(tokenUrl)} answered without an access_token`, { nodeId: ctx.nodeId, transient: false });
    secretValues.add(token);
    const expiresIn = valueAtPath(answer, ['expires_in']);
    const lifetimeMs = (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600) * 1000;
    // Renewed a little early, so a token does not expire between check and use.
    tokenCache.set(key, { token, expiresAt: Date.now() + lifetimeMs - Math.min(30_000, lifetimeMs / 10) });
    return token;
  };
  if (auth.type === 'oauth2') baseHeaders.authorization = `Bearer ${(await oauthToken(false)) ?? ''}`;
  const onUnauthorized = auth.type === 'oauth2' ? async () => ({ authorization: `Bearer ${(await oauthToken(true)) ?? ''}` }) : undefined;

  // Pages and records ----------------------------------------------------------
  const recordsPath = parseJsonPath(spec.recordsPath) ?? [];
  const columnPaths = spec.columns.map((c) => parseJsonPath(c.field) ?? [c.field]);
  const pagination = spec.pagination;
  const withParams = (base: PageRequest, params: Record<string, string | number>): PageRequest => {
    if (pagination.type !== 'none' && 'paramsIn' in pagination && pagination.paramsIn === 'body' && base.body !== null && !Array.isArray(base.body)) return { url: base.url, body: { ...base.body, ...params } };
    const url = new URL(base.url);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
    return { url, body: base.body };
  };
  const initial: PageRequest = { url: firstUrl, body };
  let request: PageRequest =
    pagination.type === 'offset'
      ? withParams(initial, { [pagination.offsetParam]: 0, [pagination.limitParam]: pagination.pageSize })
      : pagination.type === 'page'
        ? withParams(initial, { [pagination.pageParam]: pagination.startPage, ...(pagination.sizeParam ? { [pagination.sizeParam]: pagination.pageSize } : {}) })
        : initial;

  /** A server-given next URL: credentials travel only to the origin they were configured for. */
  const followUrl = (next: URL): PageRequest => {
    if (apiKeyParam && next.origin === firstUrl.origin && !next.searchParams.has(apiKeyParam.name)) next.searchParams.set(apiKeyParam.name, apiKeyParam.value);
    return { url: next, body };
  };

  const loader = new NdjsonTableLoader(conn, op.table, spec.columns, ctx.tempDir, options.batchRecords);
  await loader.create();
  try {
    let records = 0;
    let offset = 0;
    let pageNumber = pagination.type === 'page' ? pagination.startPage : 0;
    const seenCursors = new Set<string>();
    for (let page = 1; ; page++) {
      const sameOrigin = request.url.origin === firstUrl.origin;
      const headers = Object.fromEntries(
        Object.entries({ ...baseHeaders, ...(request.body !== null ? { 'content-type': 'application/json' } : {}) }).filter(([name]) => sameOrigin || !credentialHeaders.has(name)),
      );
      const response = await send({ url: request.url, method: spec.method, headers, ...(request.body !== null ? { body: JSON.stringify(request.body) } : {}) }, `page ${page}`, {
        limited: true,
        ...(onUnauthorized && sameOrigin ? { onUnauthorized } : {}),
      });
      const where = `page ${page} of ${spec.method} ${redact(request.url)}`;
      const invalid = (message: string) => new AppError('HTTP_INVALID_RESPONSE', `${message} (${where})`, { nodeId: ctx.nodeId, page, url: redact(request.url), transient: false });
      let document: unknown;
      const text = response.body.toString('utf8');
      try {
        document = JSON.parse(text);
      } catch (error) {
        const start = scrub(text.slice(0, 80).replace(/\s+/g, ' '));
        throw invalid(`Page ${page} is not valid JSON: ${errorMessage(error)}${start ? `; it starts with ${JSON.stringify(start)}` : ''}`);
      }
      const found = valueAtPath(document, recordsPath);
      const pageRecords: unknown[] = found === null ? [] : Array.isArray(found) ? found : [];
      if (found === undefined) {
        const keys = document !== null && typeof document === 'object' && !Array.isArray(document) ? Object.keys(document).slice(0, 20).join(', ') : '';
        throw invalid(`Page ${page} has nothing at the records path "${spec.recordsPath}"${keys ? ` (its top-level keys: ${keys})` : ''}`);
      }
      if (found !== null && !Array.isArray(found)) throw invalid(`Page ${page} has ${typeof found === 'object' ? 'an object' : `a ${typeof found}`} at the records path "${spec.recordsPath}", not an array of records`);

      let stoppedEarly = false;
      for (const [index, record] of pageRecords.entries()) {
        if (records >= spec.maxRecords) {
          stoppedEarly = true;
          break;
        }
        const values: (string | null)[] = [];
        for (const [i, column] of spec.columns.entries()) {
          const result = columnValue(valueAtPath(record, columnPaths[i] ?? []), column.type);
          if (!result.ok) {
            throw new AppError('HTTP_RECORD_INVALID', `Record ${index + 1} of page ${page} (record ${records + 1} overall): field "${column.field}" for column "${column.name}": ${result.reason}`, {
              nodeId: ctx.nodeId,
              page,
              record: records + 1,
              column: column.name,
              transient: false,
            });
          }
          values.push(result.text);
        }
        await loader.add(values);
        records++;
      }

      let next: PageRequest | undefined;
      switch (pagination.type) {
        case 'none':
          break;
        case 'offset':
          offset += pageRecords.length;
          if (pageRecords.length >= pagination.pageSize) next = withParams(initial, { [pagination.offsetParam]: offset, [pagination.limitParam]: pagination.pageSize });
          break;
        case 'page':
          pageNumber++;
          if (pageRecords.length > 0 && (pagination.sizeParam === null || pageRecords.length >= pagination.pageSize)) {
            next = withParams(initial, { [pagination.pageParam]: pageNumber, ...(pagination.sizeParam ? { [pagination.sizeParam]: pagination.pageSize } : {}) });
          }
          break;
        case 'cursor': {
          const cursor = valueAtPath(document, parseJsonPath(pagination.cursorPath) ?? []);
          if ((typeof cursor === 'string' && cursor !== '') || typeof cursor === 'number') {
            const value = String(cursor);
            if (seenCursors.has(value)) throw invalid(`Page ${page} gives the cursor ${JSON.stringify(value)} a second time; stopping rather than looping`);
            seenCursors.add(value);
            next = withParams(initial, { [pagination.cursorParam]: value });
          }
          break;
        }
        case 'linkHeader': {
          const link = nextLink(response.headers.link, response.url);
          if (link) next = followUrl(link);
          break;
        }
        case 'nextUrl': {
          const target = valueAtPath(document, parseJsonPath(pagination.nextUrlPath) ?? []);
          if (typeof target === 'string' && target !== '') {
            if (!URL.canParse(target, response.url)) throw invalid(`Page ${page} gives a next page URL that is not a URL: ${JSON.stringify(target.slice(0, 100))}`);
            next = followUrl(new URL(target, response.url));
          }
          break;
        }
      }
      if (next && next.url.toString() === request.url.toString() && JSON.stringify(next.body) === JSON.stringify(request.body)) {
        throw invalid(`Page ${page} points to itself as the next page; stopping rather than looping`);
      }
      if (stoppedEarly || (next && records >= spec.maxRecords)) {
        log('warn', `Stopped after ${records} records, the node's limit; the API had more`);
        break;
      }
      if (!next) break;
      if (page >= spec.maxPages) {
        log('warn', `Stopped after ${page} pages, the node's limit; the API had more`);
        break;
      }
      request = next;
    }
    await loader.flush();
  } finally {
    await loader.close();
  }
}
