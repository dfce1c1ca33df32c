import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile';
import { executePlan, type RejectBatch, type StageEvent } from '../../engine/execute';
import { renderSelect } from '../../sql/ast';
import type { StageOp } from '../../sql/ops';
import type { PlanContext } from '../define-node';
import { runSource } from '../../testing/source-harness';
import { linearPipeline, ordersCsv } from '../../testing/pipelines';
import { csvSource, CsvSourceConfig } from './csv-source';

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float' },
] as const;

const valid = { path: 'in/orders.csv', columns: [...columns] };

function issues(config: unknown) {
  const result = CsvSourceConfig.safeParse(config);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

function planContext(config: CsvSourceConfig): PlanContext<CsvSourceConfig> {
  return { nodeId: 'src', config, inputs: {}, inputColumns: {}, outputTable: (port) => `s0_${port}` };
}

describe('csv-source config', () => {
  it('accepts a path and columns, filling in the CSV dialect defaults', () => {
    expect(CsvSourceConfig.parse(valid)).toEqual({ ...valid, delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', quotedEmptyIsNull: true, onMalformedRow: 'fail' });
  });

  it('keeps an explicit dialect', () => {
    const parsed = CsvSourceConfig.parse({ ...valid, delimiter: ';', quote: "'", escape: '\\', header: false });
    expect(parsed).toMatchObject({ delimiter: ';', quote: "'", escape: '\\', header: false });
  });

  it('trims the path', () => {
    expect(CsvSourceConfig.parse({ ...valid, path: '  in/orders.csv ' }).path).toBe('in/orders.csv');
  });

  it.each([
    ['a missing path', { columns: valid.columns }, ['path'], /expected string/],
    ['an empty path', { ...valid, path: '  ' }, ['path'], /Enter a file path/],
    ['an absolute path', { ...valid, path: '/etc/passwd' }, ['path'], /relative to the workspace/],
    ['a drive-letter path', { ...valid, path: 'C:/data/x.csv' }, ['path'], /relative to the workspace/],
    ['a path with ..', { ...valid, path: 'in/../../secret.csv' }, ['path'], /must not contain "\.\."/],
    ['a path with odd characters', { ...valid, path: 'in/$(rm -rf).csv' }, ['path'], /only letters, digits/],
    ['a two-character delimiter', { ...valid, delimiter: ';;' }, ['delimiter'], /Delimiter must be exactly one character/],
    ['an empty quote', { ...valid, quote: '' }, ['quote'], /Quote must be exactly one character/],
    ['a long escape', { ...valid, escape: '\\\\' }, ['escape'], /Escape must be exactly one character/],
    ['a non-boolean header', { ...valid, header: 'yes' }, ['header'], /expected boolean/],
    ['no columns', { ...valid, columns: [] }, ['columns'], /declare at least one column/],
    ['a column without a name', { ...valid, columns: [{ name: '', type: 'string' }] }, ['columns', 0, 'name'], /Column name is empty/],
    ['a column of an unknown type', { ...valid, columns: [{ name: 'a', type: 'money' }] }, ['columns', 0, 'type'], /expected one of/],
    ['an unknown malformed-row policy', { ...valid, onMalformedRow: 'ignore' }, ['onMalformedRow'], /expected one of/],
  ])('rejects %s', (_what, config, path, message) => {
    const found = issues(config);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.path).toEqual(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('rejects a column declared twice, pointing at the second declaration', () => {
    const config = { ...valid, columns: [...columns, { name: 'customer', type: 'string' }] };
    expect(issues(config)).toEqual([{ path: ['columns', 3, 'name'], message: 'Column "customer" is declared twice (names are case-insensitive)' }]);
  });

  // Regression: DuckDB identifiers are case-insensitive. read_csv(columns = {'id': …, 'ID': …}) fails at run
  // time with `Binder Error: Duplicate struct entry name "ID"`, yet the config accepts it and the
  // pipeline compiles cleanly.
  it('rejects two columns whose names differ only in case (DuckDB treats them as one)', () => {
    const config = { ...valid, columns: [{ name: 'id', type: 'integer' }, { name: 'ID', type: 'integer' }] };
    expect(issues(config).map((i) => i.path)).toEqual([['columns', 1, 'name']]);
  });

  // Regression: quoteString() throws on NUL, and the column names and the delimiter/quote/escape are rendered
  // with it in read_csv(...). A config with a NUL passes validation, compiles into a plan, and then the
  // engine throws a plain Error while rendering instead of the user seeing a diagnostic.
  it('rejects NUL characters in column names and dialect characters, which cannot be rendered as SQL literals', () => {
    expect(issues({ ...valid, columns: [{ name: 'a\0b', type: 'string' }] }).map((i) => i.path)).toEqual([['columns', 0, 'name']]);
    expect(issues({ ...valid, delimiter: '\0' }).map((i) => i.path)).toEqual([['delimiter']]);
  });
});

describe('csv-source propagate', () => {
  it('outputs the declared columns, each read from the file', () => {
    const result = csvSource.propagate({ config: CsvSourceConfig.parse(valid), inputs: {} });
    expect(result.outputs).toEqual({ output: columns });
    expect(result.lineage).toEqual({
      output: {
        id: { from: [], how: 'read' },
        customer: { from: [], how: 'read' },
        amount: { from: [], how: 'read' },
      },
    });
    expect(result.issues ?? []).toEqual([]);
  });

  it('keeps the declared column order', () => {
    const reversed = [...columns].reverse();
    const result = csvSource.propagate({ config: CsvSourceConfig.parse({ ...valid, columns: reversed }), inputs: {} });
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['amount', 'customer', 'id']);
  });
});

describe('csv-source plan', () => {
  it('checks the header, materialises the typed scan and fails on rejected rows', () => {
    const ops = csvSource.plan(planContext(CsvSourceConfig.parse(valid)));
    expect(ops.map((o) => o.op)).toEqual(['checkCsvHeader', 'materialize', 'failOnCsvRejects']);
    expect(ops).toMatchInlineSnapshot(`
      [
        {
          "delimiter": ",",
          "expected": [
            "id",
            "customer",
            "amount",
          ],
          "file": {
            "workspacePath": "in/orders.csv",
          },
          "op": "checkCsvHeader",
          "quote": """,
        },
        {
          "op": "materialize",
          "query": {
            "from": {
              "file": {
                "workspacePath": "in/orders.csv",
              },
              "lineErrors": {
                "rejectsTable": "s0_output_rejects",
                "t": "record",
              },
              "options": {
                "columns": [
                  {
                    "name": "id",
                    "type": "integer",
                  },
                  {
                    "name": "customer",
                    "type": "string",
                  },
                  {
                    "name": "amount",
                    "type": "float",
                  },
                ],
                "delimiter": ",",
                "encoding": "utf-8",
                "escape": """,
                "header": true,
                "quote": """,
                "quotedEmptyIsNull": true,
              },
              "t": "readCsv",
            },
            "items": "*",
            "t": "select",
          },
          "table": "s0_output",
        },
        {
          "file": {
            "workspacePath": "in/orders.csv",
          },
          "op": "failOnCsvRejects",
          "rejectsTable": "s0_output_rejects",
        },
      ]
    `);
  });

  it('renders the scan with the engine-resolved path and the dialect', () => {
    const ops = csvSource.plan(planContext(CsvSourceConfig.parse({ ...valid, delimiter: ';', header: false })));
    const materialize = ops.find((o): o is Extract<StageOp, { op: 'materialize' }> => o.op === 'materialize');
    if (!materialize) throw new Error('no materialize op');
    const rendered = renderSelect(materialize.query, { resolveFile: (f) => `/ws/${f.workspacePath}` });
    expect(rendered).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT * FROM (SELECT * FROM read_csv('/ws/in/orders.csv', auto_detect = false, header = false, delim = ';', quote = '"', escape = '"', columns = {'id': 'BIGINT', 'customer': 'VARCHAR', 'amount': 'DOUBLE'}, store_rejects = true, rejects_table = 's0_output_rejects', rejects_scan = 's0_output_rejects_scan') WHERE hash("id", "customer", "amount") IS NOT NULL)",
      }
    `);
  });

  it('skips the header check when the file has no header row', () => {
    const ops = csvSource.plan(planContext(CsvSourceConfig.parse({ ...valid, header: false })));
    expect(ops.map((o) => o.op)).toEqual(['materialize', 'failOnCsvRejects']);
  });

  it('names tables after the output table it was given, and the rejects table after that', () => {
    const ops = csvSource.plan({ ...planContext(CsvSourceConfig.parse(valid)), outputTable: (port) => `s7_${port}` });
    expect(ops).toContainEqual(expect.objectContaining({ op: 'materialize', table: 's7_output' }));
    expect(ops).toContainEqual(expect.objectContaining({ op: 'failOnCsvRejects', rejectsTable: 's7_output_rejects' }));
  });
});

describe('csv-source plan for malformed rows kept or skipped', () => {
  it.each(['skip', 'deadLetter'] as const)('with %s, materialises one row per malformed line from DuckDB\'s rejects table instead of failing', (policy) => {
    const ops = csvSource.plan(planContext(CsvSourceConfig.parse({ ...valid, onMalformedRow: policy })));
    expect(ops.map((o) => o.op)).toEqual(['checkCsvHeader', 'materialize', 'materialize']);
    const malformed = ops[2];
    if (malformed?.op !== 'materialize') throw new Error('expected materialize');
    expect(malformed.table).toBe('s0_output_malformed');
    expect(malformed.rejects).toEqual({
      nodeId: 'src',
      reason: 'CSV_MALFORMED_ROW',
      action: policy,
      messageColumn: 'message',
      lineColumn: 'source_line',
      rawLineColumn: 'raw_line',
      rowColumns: [],
    });
    expect(renderSelect(malformed.query, { resolveFile: () => '' })).toMatchInlineSnapshot(`
      {
        "params": [],
        "sql": "SELECT "line" AS "source_line", first("csv_line") AS "raw_line", string_agg(concat("error_message", CASE WHEN (("column_name" IS NOT NULL) AND ("error_type" <> 'CAST')) THEN concat(' (column "', "column_name", '")') ELSE '' END), '; ' ORDER BY "column_idx" ASC NULLS LAST) AS "message" FROM (SELECT "line", "column_idx", "csv_line", "error_type", "error_message", "column_name" FROM "s0_output_rejects" QUALIFY (("error_type" = 'CAST') OR (row_number() OVER (PARTITION BY "line", "error_type" ORDER BY "column_idx" ASC NULLS LAST) = 1))) AS "errors" GROUP BY "line" ORDER BY "line" ASC NULLS LAST",
      }
    `);
  });
});

describe('csv-source malformed rows on DuckDB', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sluice-csv-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // Line 7: a value of the wrong type; 8: a field too many; 9: two fields short; 10: two bad values; 12: unicode.
  const malformed = [
    ordersCsv,
    '6,frank,not-a-number,paid',
    '7,gina,3,paid,extra',
    '8,hal',
    '9,ivy,lots,paid',
    '10,jo,1,paid',
    'x,zoë 東京,2,paid',
  ].join('\n');

  async function run(policy: 'skip' | 'deadLetter', csv: string) {
    await writeFile(path.join(root, 'orders.csv'), csv);
    const compiled = compile(linearPipeline({ onMalformedRow: policy, rules: [{ column: 'order_id', op: 'gte', value: '0' }], keep: ['order_id', 'customer'] }));
    if (!compiled.plan) throw new Error(JSON.stringify(compiled.diagnostics));
    const batches: RejectBatch[] = [];
    const logs: { level: string; message: string }[] = [];
    const events: StageEvent[] = [];
    const result = await executePlan(compiled.plan, {
      workspaceRoot: root,
      tempDir: path.join(root, '.tmp'),
      onRejects: (b) => void batches.push(b),
      onLog: (l) => void logs.push(l),
      onStage: (e) => void events.push(e),
    });
    return { result, batches, logs, source: events.find((e) => e.stageId === 'src' && e.status === 'succeeded') };
  }

  it('deadLetter: keeps every other row and stores each malformed line once, with its line number and raw text', async () => {
    const { result, batches, logs, source } = await run('deadLetter', malformed);
    expect(logs).toEqual([]);
    expect(batches.every((b) => b.nodeId === 'src' && b.reason === 'CSV_MALFORMED_ROW')).toBe(true);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows.map((r) => [r.sourceLine, r.rawLine, r.row])).toEqual([
      [7, '6,frank,not-a-number,paid', null],
      [8, '7,gina,3,paid,extra', null],
      [9, '8,hal', null],
      [10, '9,ivy,lots,paid', null],
      [12, 'x,zoë 東京,2,paid', null],
    ]);
    expect(rows[0]?.message).toMatch(/"amount".*"not-a-number"/);
    expect(rows[1]?.message).toMatch(/Expected Number of Columns: 4 Found: 5/);
    expect(rows[2]?.message).toMatch(/^Expected Number of Columns: 4 Found: \d+ \(column "\w+"\)$/);
    expect(rows[4]?.message).toMatch(/"order_id".*"x"/);
    expect(source).toMatchObject({ rowsIn: 11, rowsOut: 6, rowsRejected: 5 });
    expect(result).toMatchObject({ rowsRead: 11, rowsWritten: 6, rowsRejected: 5 });
  });

  it('deadLetter: names every value of a line that does not convert', async () => {
    const { batches } = await run('deadLetter', [ordersCsv, 'six,frank,lots,paid'].join('\n'));
    const [row] = batches.flatMap((b) => b.rows);
    expect(row?.sourceLine).toBe(7);
    expect(row?.message).toMatch(/"order_id".*"six".*; .*"amount".*"lots"/);
  });

  it('skip: keeps every other row, stores nothing, and logs the count and the first lines', async () => {
    const { result, batches, logs } = await run('skip', malformed);
    expect(batches).toEqual([]);
    expect(result).toMatchObject({ rowsRead: 11, rowsWritten: 6, rowsRejected: 5 });
    expect(logs.map((l) => l.level)).toEqual(['warn', 'warn', 'warn', 'warn', 'warn', 'warn']);
    expect(logs[0]?.message).toBe('Skipped 5 rejected row(s) (CSV_MALFORMED_ROW):');
    expect(logs[1]?.message).toMatch(/^Line 7: .*"not-a-number".*\. Raw line: 6,frank,not-a-number,paid$/);
    expect(logs[5]?.message).toMatch(/^Line 12: .*\. Raw line: x,zoë 東京,2,paid$/);
  });

  it('skip and deadLetter reject nothing from a clean file', async () => {
    for (const policy of ['skip', 'deadLetter'] as const) {
      const { result, batches, logs } = await run(policy, ordersCsv);
      expect([result.rowsRead, result.rowsRejected, batches.length, logs.length]).toEqual([5, 0, 0, 0]);
    }
  });
});

describe('csv-source declaration', () => {
  it('is a source with one output and no inputs, and its form fields name real config keys', () => {
    expect(csvSource.category).toBe('source');
    expect(csvSource.ports).toEqual({ inputs: [], outputs: [{ name: 'output', label: 'Rows' }] });
    const keys = Object.keys(CsvSourceConfig.parse(valid));
    for (const field of csvSource.fields) expect(keys).toContain(field.key);
  });

  it('starts with an incomplete config that the compiler reports rather than accepts', () => {
    expect(issues(csvSource.initialConfig).map((i) => i.path)).toEqual([['path'], ['columns']]);
  });
});

describe('csv-source encodings on DuckDB', () => {
  const declared = [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
  ];

  it('reads Latin-1 and UTF-16 (little-endian, with byte-order mark) files, checking their header in the same encoding', async () => {
    const latin1 = Buffer.from('id,name\n1,\xe9mile\n2,zo\xeb\n', 'latin1');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\n1,émile\n2,zoë\n', 'utf16le')]);
    for (const [encoding, content] of [['latin-1', latin1], ['utf-16', utf16]] as const) {
      const { rows } = await runSource({ kind: 'csv-source', config: { path: 'f.csv', encoding, columns: declared }, files: { 'f.csv': content } });
      expect(rows).toEqual([
        { id: '1', name: 'émile' },
        { id: '2', name: 'zoë' },
      ]);
    }
  });

  it('fails a Latin-1 file read as UTF-8 with the line of the first invalid byte', async () => {
    await expect(
      runSource({ kind: 'csv-source', config: { path: 'f.csv', columns: declared }, files: { 'f.csv': Buffer.from('id,name\n1,ok\n2,\xe9mile\n', 'latin1') } }),
    ).rejects.toMatchObject({ code: 'CSV_MALFORMED_ROW', details: { line: 3 } });
  });
});
