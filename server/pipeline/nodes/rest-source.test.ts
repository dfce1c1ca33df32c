import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { explainPlan } from '../../compiler/explain';
import { FORMAT_VERSION } from '../model';
import type { PlanContext } from '../define-node';
import { restSource, RestSourceConfig } from './rest-source';

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'city', type: 'string', field: 'address.city' },
];
const valid = { url: 'https://api.example.com/v1/customers', columns };

function issues(config: unknown) {
  const result = RestSourceConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

function planContext(config: RestSourceConfig): PlanContext<RestSourceConfig> {
  return { nodeId: 'api', config, inputs: {}, inputColumns: {}, outputTable: (port) => `s0_${port}` };
}

describe('rest-source config', () => {
  it('fills in safe defaults', () => {
    expect(RestSourceConfig.parse(valid)).toMatchObject({
      method: 'GET',
      auth: 'none',
      pagination: 'none',
      recordsPath: '$',
      maxPages: 1000,
      maxRecords: 1_000_000,
      requestsPerSecond: 10,
      maxRetries: 4,
      timeoutSeconds: 30,
      headers: [],
      query: [],
    });
  });

  it('accepts every auth kind with secret references', () => {
    const configs = [
      { auth: 'bearer', token: '{{env:SLUICE_SECRET_TOKEN}}' },
      { auth: 'basic', username: 'ann', password: '{{env:SLUICE_SECRET_PW}}' },
      { auth: 'apiKey', apiKeyIn: 'query', apiKeyName: 'key', apiKeyValue: '{{env:SLUICE_SECRET_KEY}}' },
      { auth: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: '{{env:SLUICE_SECRET_CS}}', scope: 'read' },
    ];
    for (const auth of configs) expect(issues({ ...valid, ...auth })).toEqual([]);
  });

  it.each([
    ['a file URL', { url: 'file:///etc/passwd' }, ['url'], /Only http:\/\/ and https:\/\//],
    ['an ftp URL', { url: 'ftp://example.com/data' }, ['url'], /Only http:\/\/ and https:\/\//],
    ['a relative URL', { url: '/items' }, ['url'], /Enter a full URL/],
    ['credentials in the URL', { url: 'https://ann:pw@example.com/' }, ['url'], /not in the URL/],
    ['an API key typed into the URL', { url: 'https://example.com/?api_key=abc123' }, ['url'], /"api_key" parameter looks like a credential/],
    ['a literal bearer token', { auth: 'bearer', token: 'abc123' }, ['token'], /\{\{env:SLUICE_SECRET_API_TOKEN\}\}.*plain text/],
    ['a missing bearer token', { auth: 'bearer' }, ['token'], /Enter the token/],
    ['a literal password', { auth: 'basic', username: 'u', password: 'hunter2' }, ['password'], /plain text/],
    ['a reference to a server setting', { auth: 'bearer', token: '{{env:DATABASE_URL}}' }, ['token'], /only variables named SLUICE_SECRET_/],
    ['a literal API key', { auth: 'apiKey', apiKeyName: 'X-Key', apiKeyValue: 'k' }, ['apiKeyValue'], /plain text/],
    ['OAuth2 without a token URL', { auth: 'oauth2', clientId: 'c', clientSecret: '{{env:SLUICE_SECRET_CS}}' }, ['tokenUrl'], /Enter the token URL/],
    ['a literal Authorization header', { headers: [{ name: 'Authorization', value: 'Bearer abc' }] }, ['headers', 0, 'value'], /looks like a credential/],
    ['a header value with a line break', { headers: [{ name: 'X-A', value: 'a\r\nHost: evil' }] }, ['headers', 0, 'value'], /line breaks/],
    ['a bad header name', { headers: [{ name: 'X Bad', value: '1' }] }, ['headers', 0, 'name'], /letters, digits and -/],
    ['a literal token parameter', { query: [{ name: 'access_token', value: 'abc' }] }, ['query', 0, 'value'], /looks like a credential/],
    ['a body on GET', { body: '{}' }, ['body'], /Only a POST request has a body/],
    ['a body that is not JSON', { method: 'POST', body: '{oops' }, ['body'], /not valid JSON/],
    ['paging parameters in the body of a GET', { pagination: 'cursor', cursorPath: 'next', paramsIn: 'body' }, ['paramsIn'], /POST request only/],
    ['cursor pagination without a cursor path', { pagination: 'cursor' }, ['cursorPath'], /path of the next cursor/],
    ['next-URL pagination without a path', { pagination: 'nextUrl' }, ['nextUrlPath'], /path of the next page URL/],
    ['a malformed records path', { recordsPath: 'data..items' }, ['recordsPath'], /dotted keys/],
    ['a malformed field path', { columns: [{ name: 'a', type: 'string', field: 'x. y' }] }, ['columns', 0, 'field'], /dotted keys/],
    ['no columns', { columns: [] }, ['columns'], /at least one output column/],
    ['a column declared twice', { columns: [...columns, { name: 'ID', type: 'string' }] }, ['columns', 2, 'name'], /declared twice/],
    ['a zero page limit', { maxPages: 0 }, ['maxPages'], /too small/i],
  ])('rejects %s', (_what, change, path, message) => {
    const found = issues({ ...valid, ...change });
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('allows references inside header values, parameters and the body', () => {
    expect(
      issues({
        ...valid,
        method: 'POST',
        body: '{"key": "{{env:SLUICE_SECRET_BODY}}"}',
        headers: [{ name: 'Authorization', value: 'Token {{env:SLUICE_SECRET_T}}' }],
        query: [{ name: 'limit', value: '5' }],
      }),
    ).toEqual([]);
  });

  it('treats cleared optional fields as unset', () => {
    expect(RestSourceConfig.parse({ ...valid, body: '', scope: ' ', columns: [{ name: 'a', type: 'string', field: '' }] })).toMatchObject({ body: undefined, scope: undefined, columns: [{ name: 'a', field: undefined }] });
  });
});

describe('rest-source propagate', () => {
  it('outputs the declared columns, each read from the API', () => {
    const result = restSource.propagate({ config: RestSourceConfig.parse(valid), inputs: {} });
    expect(result.outputs).toEqual({ output: [{ name: 'id', type: 'integer' }, { name: 'city', type: 'string' }] });
    expect(result.lineage).toEqual({ output: { id: { from: [], how: 'read' }, city: { from: [], how: 'read' } } });
    expect(result.issues ?? []).toEqual([]);
  });

  it('feeds downstream nodes through the compiler', () => {
    const compiled = compile({
      formatVersion: FORMAT_VERSION,
      nodes: [
        { id: 'api', kind: 'rest-source', version: 1, position: { x: 0, y: 0 }, config: valid },
        { id: 'keep', kind: 'filter', version: 1, position: { x: 0, y: 0 }, config: { predicate: 'id > 1' } },
        { id: 'sink', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/c.csv' } },
      ],
      edges: [
        { id: 'e1', source: { node: 'api', port: 'output' }, target: { node: 'keep', port: 'input' } },
        { id: 'e2', source: { node: 'keep', port: 'output' }, target: { node: 'sink', port: 'input' } },
      ],
    });
    expect(compiled.schemas.api?.output?.map((c) => c.name)).toEqual(['id', 'city']);
    expect(compiled.lineage.api?.output?.city).toEqual({ from: [], how: 'read' });
  });
});

describe('rest-source plan', () => {
  it('fetches into the output table with a structured request, secrets still as references', () => {
    const config = RestSourceConfig.parse({
      ...valid,
      auth: 'bearer',
      token: '{{env:SLUICE_SECRET_TOKEN}}',
      pagination: 'cursor',
      cursorPath: 'meta.next',
      recordsPath: 'data',
      query: [{ name: 'status', value: 'active' }],
    });
    expect(restSource.plan(planContext(config))).toMatchInlineSnapshot(`
      [
        {
          "op": "fetchHttp",
          "source": {
            "auth": {
              "token": "{{env:SLUICE_SECRET_TOKEN}}",
              "type": "bearer",
            },
            "body": null,
            "columns": [
              {
                "field": "id",
                "name": "id",
                "type": "integer",
              },
              {
                "field": "address.city",
                "name": "city",
                "type": "string",
              },
            ],
            "headers": [],
            "maxPages": 1000,
            "maxRecords": 1000000,
            "maxRetries": 4,
            "method": "GET",
            "pagination": {
              "cursorParam": "cursor",
              "cursorPath": "meta.next",
              "paramsIn": "query",
              "type": "cursor",
            },
            "query": [
              {
                "name": "status",
                "value": "active",
              },
            ],
            "recordsPath": "data",
            "requestsPerSecond": 10,
            "timeoutMs": 30000,
            "url": "https://api.example.com/v1/customers",
          },
          "table": "s0_output",
        },
      ]
    `);
  });

  it('explains the fetch in one line', () => {
    const compiled = compile({
      formatVersion: FORMAT_VERSION,
      nodes: [
        { id: 'api', kind: 'rest-source', version: 1, position: { x: 0, y: 0 }, config: { ...valid, pagination: 'offset', pageSize: 50 } },
        { id: 'sink', kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: 'out/c.csv' } },
      ],
      edges: [{ id: 'e', source: { node: 'api', port: 'output' }, target: { node: 'sink', port: 'input' } }],
    });
    if (!compiled.plan) throw new Error(JSON.stringify(compiled.diagnostics));
    expect(explainPlan(compiled.plan)[0]?.steps).toEqual([
      { op: 'fetchHttp', sql: '-- fetch GET https://api.example.com/v1/customers, pages by offset (at most 1000), records at $, into "s0_output" (id integer <- id, city string <- address.city)', params: [] },
    ]);
  });
});

describe('rest-source declaration', () => {
  it('is a source with one output, and its form fields name real config keys', () => {
    expect(restSource.category).toBe('source');
    expect(restSource.ports).toEqual({ inputs: [], outputs: [{ name: 'output', label: 'Records' }] });
    const keys = Object.keys(RestSourceConfig.parse({ ...valid, body: undefined })).concat(['body', 'token', 'username', 'password', 'apiKeyName', 'apiKeyValue', 'tokenUrl', 'clientId', 'clientSecret', 'scope', 'sizeParam', 'cursorPath', 'nextUrlPath']);
    for (const field of restSource.fields) expect(keys).toContain(field.key);
  });

  it('starts with an incomplete config that the compiler reports rather than accepts', () => {
    expect(issues(restSource.initialConfig).map((i) => i.path)).toEqual([['url'], ['columns']]);
  });
});
