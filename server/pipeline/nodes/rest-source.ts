import { z } from 'zod';
import type { HttpSourceSpec } from '../../sql/ops';
import { defineNode } from '../define-node';
import { jsonPathHint, parseJsonPath } from '../json-path';
import { credentialNamePattern, isSecretReference, secretReferenceHint, secretReferenceProblem } from '../secret-reference';
import { ColumnTypeSchema } from '../types';

/** Text fields a form clears to '' or leaves out; both mean "not set". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === undefined || s === '' ? undefined : s));

const ParamName = z.string().trim().min(1, 'Enter a parameter name').max(200);
const HeaderName = z
  .string()
  .trim()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'A header name has letters, digits and - only');

const NameValue = (name: z.ZodType<string>) =>
  z.object({
    name,
    value: z
      .string()
      .max(8_000)
      .refine((v) => !/[\r\n\0]/.test(v), 'A value cannot contain line breaks')
      .default(''),
  });

const HttpUrl = z
  .string()
  .trim()
  .min(1, 'Enter the URL of the API')
  .superRefine((text, ctx) => {
    if (text === '') return; // reported by min()
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Enter a full URL such as https://api.example.com/items' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `Only http:// and https:// URLs can be fetched, not ${url.protocol}//` });
    else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'Put credentials in the authentication settings, not in the URL' });
  });

const JsonPath = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what}`)
    .refine((p) => parseJsonPath(p) !== undefined, jsonPathHint);


export const RestColumnSchema = z.object({
  name: z
    .string()
    .min(1, 'Column name is empty')
    .max(255)
    .refine((s) => !s.includes('\0'), 'Column name contains a NUL character'),
  type: ColumnTypeSchema,
  /** Dotted path inside each record; blank reads the field named like the column. */
  field: optionalText.refine((p) => p === undefined || parseJsonPath(p) !== undefined, jsonPathHint),
});

export const RestSourceConfig = z
  .object({
    url: HttpUrl,
    method: z.enum(['GET', 'POST']).default('GET'),
    body: optionalText,
    headers: z.array(NameValue(HeaderName)).max(100).default([]),
    query: z.array(NameValue(ParamName)).max(100).default([]),
    auth: z.enum(['none', 'bearer', 'basic', 'apiKey', 'oauth2']).default('none'),
    token: optionalText,
    username: optionalText,
    password: optionalText,
    apiKeyIn: z.enum(['header', 'query']).default('header'),
    apiKeyName: optionalText,
    apiKeyValue: optionalText,
    tokenUrl: optionalText,
    clientId: optionalText,
    clientSecret: optionalText,
    scope: optionalText,
    pagination: z.enum(['none', 'offset', 'page', 'cursor', 'linkHeader', 'nextUrl']).default('none'),
    pageSize: z.number().int().min(1).max(100_000).default(100),
    offsetParam: ParamName.default('offset'),
    limitParam: ParamName.default('limit'),
    pageParam: ParamName.default('page'),
    startPage: z.number().int().min(0).max(1_000_000).default(1),
    sizeParam: optionalText,
    cursorParam: ParamName.default('cursor'),
    cursorPath: optionalText,
    nextUrlPath: optionalText,
    paramsIn: z.enum(['query', 'body']).default('query'),
    recordsPath: JsonPath('path to the records').default('$'),
    columns: z.array(RestColumnSchema).min(1, 'Declare at least one output column'),
    maxPages: z.number().int().min(1).max(1_000_000).default(1_000),
    maxRecords: z.number().int().min(1).max(1_000_000_000).default(1_000_000),
    requestsPerSecond: z.number().min(0).max(1_000).default(10),
    maxRetries: z.number().int().min(0).max(10).default(4),
    timeoutSeconds: z.number().min(1).max(600).default(30),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const seen = new Set<string>();
    c.columns.forEach((col, i) => {
      if (seen.has(col.name.toLowerCase())) issue(['columns', i, 'name'], `Column "${col.name}" is declared twice (names are case-insensitive)`);
      seen.add(col.name.toLowerCase());
    });

    if (c.body !== undefined) {
      if (c.method !== 'POST') issue(['body'], 'Only a POST request has a body');
      else {
        try {
          const parsed: unknown = JSON.parse(c.body);
          if (c.paramsIn === 'body' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) issue(['body'], 'Paging parameters go into the body, so it must be a JSON object');
        } catch (error) {
          issue(['body'], `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    if (c.paramsIn === 'body' && c.method !== 'POST' && ['offset', 'page', 'cursor'].includes(c.pagination)) issue(['paramsIn'], 'Paging parameters can go into the body of a POST request only');

    // Secrets: never literal in the document.
    const secret = (key: 'token' | 'password' | 'apiKeyValue' | 'clientSecret', label: string) => {
      const value = c[key];
      if (value === undefined) issue([key], `Enter the ${label}`);
      else if (!isSecretReference(value)) issue([key], secretReferenceHint);
      else {
        const problem = secretReferenceProblem(value);
        if (problem) issue([key], problem);
      }
    };
    const required = (key: 'username' | 'apiKeyName' | 'tokenUrl' | 'clientId', label: string) => {
      if (c[key] === undefined) issue([key], `Enter the ${label}`);
    };
    if (c.auth === 'bearer') secret('token', 'token');
    if (c.auth === 'basic') {
      required('username', 'user name');
      secret('password', 'password');
    }
    if (c.auth === 'apiKey') {
      required('apiKeyName', `${c.apiKeyIn === 'header' ? 'header' : 'parameter'} name of the API key`);
      secret('apiKeyValue', 'API key');
    }
    if (c.auth === 'oauth2') {
      required('tokenUrl', 'token URL');
      required('clientId', 'client id');
      secret('clientSecret', 'client secret');
      if (c.tokenUrl !== undefined) {
        const parsed = HttpUrl.safeParse(c.tokenUrl);
        if (!parsed.success) issue(['tokenUrl'], parsed.error.issues[0]?.message ?? 'Enter a full URL');
      }
    }
    for (const key of ['username', 'clientId', 'body'] as const) {
      const problem = secretReferenceProblem(c[key] ?? '');
      if (problem) issue([key], problem);
    }
    const urlProblem = secretReferenceProblem(c.url);
    if (urlProblem) issue(['url'], urlProblem);
    else if (URL.canParse(c.url)) {
      for (const [name, value] of new URL(c.url).searchParams) {
        if (credentialNamePattern.test(name) && value !== '' && !value.includes('{{env:')) issue(['url'], `The URL's "${name}" parameter looks like a credential. ${secretReferenceHint}`);
      }
    }
    for (const list of ['headers', 'query'] as const) {
      c[list].forEach((entry, i) => {
        const problem = secretReferenceProblem(entry.value);
        if (problem) issue([list, i, 'value'], problem);
        else if (credentialNamePattern.test(entry.name) && entry.value.trim() !== '' && !/\{\{env:/.test(entry.value)) issue([list, i, 'value'], `"${entry.name}" looks like a credential. ${secretReferenceHint}`);
      });
    }

    if (c.pagination === 'cursor' && c.cursorPath === undefined) issue(['cursorPath'], 'Enter the path of the next cursor in the response, e.g. meta.next_cursor');
    if (c.pagination === 'nextUrl' && c.nextUrlPath === undefined) issue(['nextUrlPath'], 'Enter the path of the next page URL in the response, e.g. links.next');
    for (const key of ['cursorPath', 'nextUrlPath'] as const) {
      const value = c[key];
      if (value !== undefined && parseJsonPath(value) === undefined) issue([key], jsonPathHint);
    }
  });
export type RestSourceConfig = z.infer<typeof RestSourceConfig>;

/** The engine's view of a parsed config: one structured request description, secrets still as references. */
export function httpSourceSpec(c: RestSourceConfig): HttpSourceSpec {
  // Fields are checked by the schema's refinements; '' only stands in for what a failed parse never reaches.
  const text = (value: string | undefined) => value ?? '';
  const auth: HttpSourceSpec['auth'] =
    c.auth === 'bearer'
      ? { type: 'bearer', token: text(c.token) }
      : c.auth === 'basic'
        ? { type: 'basic', username: text(c.username), password: text(c.password) }
        : c.auth === 'apiKey'
          ? { type: 'apiKey', in: c.apiKeyIn, name: text(c.apiKeyName), value: text(c.apiKeyValue) }
          : c.auth === 'oauth2'
            ? { type: 'oauth2', tokenUrl: text(c.tokenUrl), clientId: text(c.clientId), clientSecret: text(c.clientSecret), scope: c.scope ?? null }
            : { type: 'none' };
  const paramsIn = c.method === 'POST' ? c.paramsIn : 'query';
  const pagination: HttpSourceSpec['pagination'] =
    c.pagination === 'offset'
      ? { type: 'offset', offsetParam: c.offsetParam, limitParam: c.limitParam, pageSize: c.pageSize, paramsIn }
      : c.pagination === 'page'
        ? { type: 'page', pageParam: c.pageParam, startPage: c.startPage, sizeParam: c.sizeParam ?? null, pageSize: c.pageSize, paramsIn }
        : c.pagination === 'cursor'
          ? { type: 'cursor', cursorParam: c.cursorParam, cursorPath: text(c.cursorPath), paramsIn }
          : c.pagination === 'nextUrl'
            ? { type: 'nextUrl', nextUrlPath: text(c.nextUrlPath) }
            : c.pagination === 'linkHeader'
              ? { type: 'linkHeader' }
              : { type: 'none' };
  return {
    url: c.url,
    method: c.method,
    body: c.method === 'POST' ? (c.body ?? null) : null,
    headers: c.headers.filter((h) => h.name !== ''),
    query: c.query,
    auth,
    pagination,
    recordsPath: c.recordsPath,
    columns: c.columns.map((col) => ({ name: col.name, type: col.type, field: col.field ?? col.name })),
    maxPages: c.maxPages,
    maxRecords: c.maxRecords,
    requestsPerSecond: c.requestsPerSecond > 0 ? c.requestsPerSecond : null,
    maxRetries: c.maxRetries,
    timeoutMs: Math.round(c.timeoutSeconds * 1000),
  };
}

const options = <T extends string>(entries: [T, string][]) => entries.map(([value, label]) => ({ value, label }));

export const restSource = defineNode({
  kind: 'rest-source',
  version: 1,
  category: 'source',
  label: 'HTTP API',
  icon: '⇅',
  description:
    'Reads records from a JSON HTTP API, page by page, into the declared columns (nested fields by dotted path). Requests are retried with backoff on 429, 5xx and network errors. Secrets (tokens, passwords, API keys, client secrets) are never typed in: enter {{env:SLUICE_SECRET_NAME}} to use an environment variable the administrator sets on the server. Private, loopback and link-local addresses are refused unless the administrator allows them with SLUICE_HTTP_ALLOW_PRIVATE.',
  ports: { inputs: [], outputs: [{ name: 'output', label: 'Records' }] },
  config: RestSourceConfig,
  initialConfig: {
    url: '',
    method: 'GET',
    headers: [],
    query: [],
    auth: 'none',
    apiKeyIn: 'header',
    pagination: 'none',
    pageSize: 100,
    offsetParam: 'offset',
    limitParam: 'limit',
    pageParam: 'page',
    startPage: 1,
    cursorParam: 'cursor',
    paramsIn: 'query',
    recordsPath: '$',
    columns: [],
    maxPages: 1000,
    maxRecords: 1_000_000,
    requestsPerSecond: 10,
    maxRetries: 4,
    timeoutSeconds: 30,
  },
  fields: [
    { key: 'url', widget: 'text', label: 'URL', placeholder: 'https://api.example.com/items' },
    { key: 'method', widget: 'select', label: 'Method', options: options([['GET', 'GET'], ['POST', 'POST (JSON body)']]) },
    { key: 'body', widget: 'code', language: 'javascript', label: 'JSON body', help: 'POST only. {{env:SLUICE_SECRET_…}} references inside strings are filled in at run time.' },
    {
      key: 'headers',
      widget: 'list',
      label: 'Headers',
      itemLabel: 'Header',
      addLabel: 'Add header',
      newItem: { name: '', value: '' },
      itemFields: [
        { key: 'name', widget: 'text', label: 'Name' },
        { key: 'value', widget: 'text', label: 'Value', help: 'Credentials as {{env:SLUICE_SECRET_…}}' },
      ],
    },
    {
      key: 'query',
      widget: 'list',
      label: 'Query parameters',
      itemLabel: 'Parameter',
      addLabel: 'Add parameter',
      newItem: { name: '', value: '' },
      itemFields: [
        { key: 'name', widget: 'text', label: 'Name' },
        { key: 'value', widget: 'text', label: 'Value' },
      ],
    },
    {
      key: 'auth',
      widget: 'select',
      label: 'Authentication',
      options: options([
        ['none', 'None'],
        ['bearer', 'Bearer token'],
        ['basic', 'Basic (user and password)'],
        ['apiKey', 'API key'],
        ['oauth2', 'OAuth2 client credentials'],
      ]),
    },
    { key: 'token', widget: 'text', label: 'Bearer token', placeholder: '{{env:SLUICE_SECRET_API_TOKEN}}', help: 'Bearer only.' },
    { key: 'username', widget: 'text', label: 'User name', help: 'Basic only.' },
    { key: 'password', widget: 'text', label: 'Password', placeholder: '{{env:SLUICE_SECRET_API_PASSWORD}}', help: 'Basic only.' },
    { key: 'apiKeyIn', widget: 'select', label: 'Send the API key in', options: options([['header', 'A header'], ['query', 'A query parameter']]) },
    { key: 'apiKeyName', widget: 'text', label: 'API key header or parameter', placeholder: 'X-API-Key' },
    { key: 'apiKeyValue', widget: 'text', label: 'API key', placeholder: '{{env:SLUICE_SECRET_API_KEY}}' },
    { key: 'tokenUrl', widget: 'text', label: 'OAuth2 token URL', placeholder: 'https://auth.example.com/oauth/token' },
    { key: 'clientId', widget: 'text', label: 'OAuth2 client id' },
    { key: 'clientSecret', widget: 'text', label: 'OAuth2 client secret', placeholder: '{{env:SLUICE_SECRET_CLIENT_SECRET}}' },
    { key: 'scope', widget: 'text', label: 'OAuth2 scope', help: 'Optional; space-separated.' },
    {
      key: 'pagination',
      widget: 'select',
      label: 'Pagination',
      options: options([
        ['none', 'None (one request)'],
        ['offset', 'Offset and limit'],
        ['page', 'Page number'],
        ['cursor', 'Cursor from the response'],
        ['linkHeader', 'Link: rel="next" header'],
        ['nextUrl', 'Next-page URL in the response'],
      ]),
    },
    { key: 'pageSize', widget: 'number', label: 'Page size', integer: true, min: 1, help: 'Offset and page number: records asked for per page; a shorter page is the last.' },
    { key: 'offsetParam', widget: 'text', label: 'Offset parameter' },
    { key: 'limitParam', widget: 'text', label: 'Limit parameter' },
    { key: 'pageParam', widget: 'text', label: 'Page parameter' },
    { key: 'startPage', widget: 'number', label: 'First page number', integer: true, min: 0 },
    { key: 'sizeParam', widget: 'text', label: 'Page size parameter', help: 'Page number: optional parameter that sends the page size.' },
    { key: 'cursorParam', widget: 'text', label: 'Cursor parameter' },
    { key: 'cursorPath', widget: 'text', label: 'Next cursor path', placeholder: 'meta.next_cursor' },
    { key: 'nextUrlPath', widget: 'text', label: 'Next page URL path', placeholder: 'links.next' },
    { key: 'paramsIn', widget: 'select', label: 'Send paging parameters in', options: options([['query', 'The query string'], ['body', 'The JSON body (POST)']]) },
    { key: 'recordsPath', widget: 'text', label: 'Records path', placeholder: 'data.items', help: '$ when the response is the array itself.' },
    {
      key: 'columns',
      widget: 'list',
      label: 'Output columns',
      itemLabel: 'Column',
      addLabel: 'Add column',
      newItem: { name: '', type: 'string', field: '' },
      itemFields: [
        { key: 'name', widget: 'text', label: 'Name' },
        { key: 'type', widget: 'select', label: 'Type', options: ColumnTypeSchema.options.map((t) => ({ value: t, label: t })) },
        { key: 'field', widget: 'text', label: 'Field', placeholder: 'same as the name', help: 'Dotted path inside the record, e.g. customer.address.city' },
      ],
    },
    { key: 'maxPages', widget: 'number', label: 'Stop after pages', integer: true, min: 1 },
    { key: 'maxRecords', widget: 'number', label: 'Stop after records', integer: true, min: 1 },
    { key: 'requestsPerSecond', widget: 'number', label: 'Requests per second', min: 0, help: '0: no limit.' },
    { key: 'maxRetries', widget: 'number', label: 'Retries per request', integer: true, min: 0, max: 10 },
    { key: 'timeoutSeconds', widget: 'number', label: 'Request timeout (s)', min: 1, max: 600 },
  ],
  propagate: ({ config }) => ({
    outputs: { output: config.columns.map((c) => ({ name: c.name, type: c.type })) },
    lineage: { output: Object.fromEntries(config.columns.map((c) => [c.name, { from: [], how: 'read' as const }])) },
  }),
  plan: ({ config, outputTable }) => [{ op: 'fetchHttp', table: outputTable('output'), source: httpSourceSpec(config) }],
});
