import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellText, EXCEL_BATCH_ROWS, inspectExcel } from '../../connectors/files/excel';
import { runSource } from '../../testing/source-harness';
import { cellRangeProblem, columnLetters, columnNumber, parseCellRange } from '../excel-range';
import { excelSource, ExcelSourceConfig } from './excel-source';

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'float' },
  { name: 'day', type: 'date' },
  { name: 'at', type: 'timestamp' },
  { name: 'ok', type: 'boolean' },
] as const;

/** Builds a workbook with exceljs's (non-streaming) writer; `rows` start at row 1 of `sheet`. */
async function workbook(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    rows.forEach((row, r) => row.forEach((value, c) => (ws.getCell(r + 1, c + 1).value = value as ExcelJS.CellValue)));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const header = ['id', 'name', 'amount', 'day', 'at', 'ok'];
const orders = [
  header,
  [1, 'Zoë 🚀', 10.5, new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(2024, 1, 29, 13, 45, 7)), true],
  [2, null, null, null, null, null],
  [3, { richText: [{ text: 'naï' }, { text: 've' }] }, { formula: 'A4*2', result: 6 }, '2023-12-31', '2023-12-31 08:00:00', false],
];

let book: Buffer;
beforeAll(async () => {
  book = await workbook({ Notes: [['not this one']], Orders: orders });
});

const run = (config: Record<string, unknown>, content: Buffer = book) =>
  runSource({ kind: 'excel-source', config: { path: 'in/book.xlsx', sheet: 'Orders', columns, ...config }, files: { 'in/book.xlsx': content } });

describe('excel-range', () => {
  it('converts column letters and numbers both ways', () => {
    expect([columnNumber('A'), columnNumber('z'), columnNumber('AA'), columnNumber('XFD')]).toEqual([1, 26, 27, 16384]);
    expect([1, 26, 27, 16384].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'XFD']);
  });

  it('parses ranges, open-ended or not, defaulting to as many columns as declared', () => {
    expect(parseCellRange('', 3)).toEqual({ firstColumn: 1, lastColumn: 3, firstRow: 1 });
    expect(parseCellRange('b2:d10', 3)).toEqual({ firstColumn: 2, lastColumn: 4, firstRow: 2, lastRow: 10 });
    expect(parseCellRange('C:E', 3)).toEqual({ firstColumn: 3, lastColumn: 5, firstRow: 1 });
    expect(parseCellRange('B5', 2)).toEqual({ firstColumn: 2, lastColumn: 3, firstRow: 5 });
  });

  it('explains unusable ranges', () => {
    expect(cellRangeProblem('A1-D4', 4)).toMatch(/Write a range like/);
    expect(cellRangeProblem('D1:A4', 4)).toBe('The range ends before it starts');
    expect(cellRangeProblem('A1:C4', 4)).toBe('The range is 3 column(s) wide but 4 column(s) are declared');
    expect(cellRangeProblem('A0:D4', 4)).toBe('Rows start at 1');
  });
});

describe('excel-source config', () => {
  it('fills the defaults: first sheet, whole sheet from A, header in row 1', () => {
    expect(ExcelSourceConfig.parse({ path: 'b.xlsx', columns })).toEqual({ path: 'b.xlsx', sheet: '', range: '', headerRow: 1, columns });
  });

  it.each([
    ['a workbook that is not .xlsx', { path: 'b.xls', columns }, ['path']],
    ['a range as wide as fewer columns than declared', { path: 'b.xlsx', range: 'A1:B9', columns }, ['range']],
    ['a fractional header row', { path: 'b.xlsx', headerRow: 1.5, columns }, ['headerRow']],
    ['a sheet name longer than Excel allows', { path: 'b.xlsx', sheet: 'x'.repeat(32), columns }, ['sheet']],
  ])('rejects %s', (_what, config, at) => {
    const result = ExcelSourceConfig.safeParse(config);
    expect(result.success ? [] : result.error.issues.map((i) => i.path)).toEqual([at]);
  });

  it('starts incomplete', () => {
    const result = ExcelSourceConfig.safeParse(excelSource.initialConfig);
    expect(result.success ? [] : result.error.issues.map((i) => i.path)).toEqual([['path'], ['columns']]);
  });
});

describe('excel-source propagate and plan', () => {
  it('outputs the declared columns, read', () => {
    const result = excelSource.propagate({ config: ExcelSourceConfig.parse({ path: 'b.xlsx', columns }), inputs: {} });
    expect(result.outputs.output).toEqual(columns);
    expect(result.lineage.output?.day).toEqual({ from: [], how: 'read' });
  });

  it('plans one streaming load into the output table', () => {
    const ops = excelSource.plan({ nodeId: 'x', config: ExcelSourceConfig.parse({ path: 'in/b.xlsx', sheet: 'Orders', range: 'B2:C', headerRow: 2, columns: columns.slice(0, 2) }), inputs: {}, inputColumns: {}, outputTable: (p) => `s0_${p}` });
    expect(ops).toMatchInlineSnapshot(`
      [
        {
          "columns": [
            {
              "name": "id",
              "type": "integer",
            },
            {
              "name": "name",
              "type": "string",
            },
          ],
          "file": {
            "workspacePath": "in/b.xlsx",
          },
          "headerRow": 2,
          "op": "loadExcel",
          "range": "B2:C",
          "sheet": "Orders",
          "table": "s0_output",
        },
      ]
    `);
  });
});

describe('cellText', () => {
  it('types cells as their declared column reads them', () => {
    expect(cellText(42, 'integer')).toEqual({ ok: true, text: '42' });
    expect(cellText(' 7 ', 'integer')).toEqual({ ok: true, text: '7' });
    expect(cellText(1.5, 'integer')).toEqual({ ok: false, reason: '"1.5" is not an integer' });
    expect(cellText(2 ** 60, 'integer')).toMatchObject({ ok: false });
    expect(cellText(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), 'timestamp')).toEqual({ ok: true, text: '2024-01-02 03:04:05.006' });
    expect(cellText(new Date(Date.UTC(2024, 0, 2, 3)), 'date')).toMatchObject({ ok: false, reason: expect.stringContaining('declare the column as timestamp') as unknown });
    expect(cellText(new Date(Date.UTC(2024, 0, 2)), 'string')).toEqual({ ok: true, text: '2024-01-02' });
    expect(cellText({ error: '#DIV/0!' }, 'float')).toEqual({ ok: false, reason: 'the cell holds the Excel error #DIV/0!' });
    expect(cellText({ formula: 'A1', result: { error: '#REF!' } }, 'string')).toMatchObject({ ok: false });
    expect(cellText('TRUE', 'boolean')).toEqual({ ok: true, text: 'true' });
    expect(cellText(undefined, 'boolean')).toEqual({ ok: true, text: null });
  });
});

describe('excel-source on DuckDB', () => {
  const expected = [
    { id: '1', name: 'Zoë 🚀', amount: 10.5, day: '2024-02-29', at: '2024-02-29 13:45:07', ok: true },
    { id: '2', name: null, amount: null, day: null, at: null, ok: null },
    { id: '3', name: 'naïve', amount: 6, day: '2023-12-31', at: '2023-12-31 08:00:00', ok: false },
  ];

  it('reads the named sheet typed: dates, numbers, booleans, formulas and rich text, NULLs and unicode', async () => {
    const { rows, types } = await run({});
    expect(types).toEqual(['BIGINT', 'VARCHAR', 'DOUBLE', 'DATE', 'TIMESTAMP', 'BOOLEAN']);
    expect(rows).toEqual(expected);
  });

  it('closes the temporary files exceljs parks skipped sheets in, so none is read after it is deleted', async () => {
    // exceljs parks "Notes" in a temporary file and deletes it once the reader moves
    // on; a read stream it left open on it could fail later, with nobody listening.
    const openParkedFiles = async () => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => path.basename(t).startsWith(`tmp-${process.pid}-`));
    };
    const { rows } = await run({});
    expect(rows).toEqual(expected);
    await expect.poll(openParkedFiles, { timeout: 2_000 }).toEqual([]);
  });

  it('reads a cell range below a header row elsewhere in the sheet', async () => {
    const shifted = await workbook({ Orders: [['title'], [], ...orders.map((r) => ['x', ...r, 'ignored'])] });
    const { rows } = await run({ range: 'B3:G5', headerRow: 3 }, shifted);
    expect(rows).toEqual(expected.slice(0, 2));
  });

  it('reads a sheet without a header row', async () => {
    const { rows } = await run({ headerRow: 0, range: 'A2:B' , columns: columns.slice(0, 2) });
    expect(rows).toEqual(expected.map((r) => ({ id: r.id, name: r.name })));
  });

  it('reads the first sheet when none is named, and a header-only sheet as no rows', async () => {
    const { rows, columns: names } = await run({ sheet: '' }, await workbook({ Only: [header] }));
    expect(rows).toEqual([]);
    expect(names).toEqual(header);
  });

  it('streams more rows than one batch', async () => {
    const many = await workbook({ Orders: [['n', 's'], ...Array.from({ length: EXCEL_BATCH_ROWS * 2 + 7 }, (_, i) => [i, `row ${i}`])] });
    const { rows } = await run({ columns: [{ name: 'n', type: 'integer' }, { name: 's', type: 'string' }] }, many);
    expect(rows).toHaveLength(EXCEL_BATCH_ROWS * 2 + 7);
    expect(rows.at(-1)).toEqual({ n: String(EXCEL_BATCH_ROWS * 2 + 6), s: `row ${EXCEL_BATCH_ROWS * 2 + 6}` });
  });

  it('fails a cell that does not fit its column with its address, sheet and file', async () => {
    const bad = await workbook({ Orders: [header, [1, 'a', 'lots', null, null, null]] });
    await expect(run({}, bad)).rejects.toMatchObject({
      code: 'FILE_MALFORMED',
      message: 'Cell C2 of sheet "Orders" in "in/book.xlsx" (column "amount") does not fit: "lots" is not a float',
      details: { nodeId: 'source', line: 2, cell: 'C2' },
    });
  });

  it('fails a header that does not hold the declared names', async () => {
    await expect(run({ columns: [{ name: 'ID', type: 'integer' }, ...columns.slice(1)] })).rejects.toMatchObject({ code: 'FILE_HEADER_MISMATCH', details: { line: 1 } });
  });

  it('fails an unknown sheet, listing the sheets there are', async () => {
    await expect(run({ sheet: 'Invoices' })).rejects.toMatchObject({ code: 'FILE_MALFORMED', message: '"in/book.xlsx" has no sheet named "Invoices" (sheets: Notes, Orders)' });
  });

  it('fails an empty sheet whose header row is missing', async () => {
    await expect(run({}, await workbook({ Orders: [] }))).rejects.toMatchObject({ code: 'FILE_MALFORMED', message: expect.stringContaining('has no header row 1') as unknown });
  });

  it('fails a file that is not a workbook, naming the problem', async () => {
    await expect(run({}, Buffer.from('id,name\n1,a\n'))).rejects.toMatchObject({ code: 'FILE_MALFORMED', message: expect.stringMatching(/could not be read as an Excel workbook/) as unknown });
  });
});

describe('inspectExcel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-xlsx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the first sheet’s header and guesses types from the rows below', async () => {
    const file = path.join(dir, 'b.xlsx');
    await writeFile(file, await workbook({ Orders: [[...header, null, 'mixed'], [1, 'a', 1.5, new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 0, 1, 5)), true, null, 1], [2, 'b', 2, null, null, false, null, 'x']] }));
    expect(await inspectExcel(file)).toEqual({
      sheet: 'Orders',
      headerRow: 1,
      columns: [...columns, { name: 'column_7', type: 'string' }, { name: 'mixed', type: 'string' }],
    });
  });
});
