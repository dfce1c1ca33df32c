import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import type { Column } from '../types';
import { splitColumn, SplitColumnConfig } from './split-column';

const people: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'full', type: 'string' },
    { name: 'score', type: 'float' },
  ],
  rows: [
    { id: 1, full: 'Ada;Lovelace;1815', score: 1.5 },
    { id: 2, full: 'Zoë;Ünal', score: null },
    { id: 3, full: 'solo', score: 2 },
    { id: 4, full: null, score: 3 },
    { id: 5, full: 'a;;c;d;e', score: 4 },
    { id: 6, full: 'a;;c;d;e', score: 4 },
    { id: 7, full: '東京;日本', score: 5 },
  ],
};

const named = (names: string[], more: Record<string, unknown> = {}) => SplitColumnConfig.parse({ column: 'full', separator: ';', names: names.map((name) => ({ name })), ...more });
const propagate = (config: SplitColumnConfig, columns: Column[] = people.columns) => splitColumn.propagate({ config, inputs: { input: columns } });

function sqlOf(config: SplitColumnConfig): { sql: string; params: unknown[] } {
  const [op] = splitColumn.plan({ nodeId: 's', config, inputs: { input: table('t') }, inputColumns: { input: people.columns }, outputTable: () => 'o' });
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('split-column config', () => {
  it('defaults to a literal delimiter, named parts and dropping the original', () => {
    expect(SplitColumnConfig.parse({ column: 'full', separator: ',', names: [{ name: 'a' }] })).toEqual({
      column: 'full',
      mode: 'delimiter',
      separator: ',',
      naming: 'names',
      names: [{ name: 'a' }],
      count: 2,
      prefix: '',
      keepOriginal: false,
    });
  });

  it.each([
    ['no column', { column: '', separator: ',', names: [{ name: 'a' }] }, ['column']],
    ['an empty separator', { column: 'full', separator: '', names: [{ name: 'a' }] }, ['separator']],
    ['no names', { column: 'full', separator: ',' }, ['names']],
    ['a blank name', { column: 'full', separator: ',', names: [{ name: '  ' }] }, ['names', 0, 'name']],
    ['numbered without a prefix', { column: 'full', separator: ',', naming: 'count', count: 3 }, ['prefix']],
    ['zero parts', { column: 'full', separator: ',', naming: 'count', count: 0, prefix: 'p' }, ['count']],
  ])('rejects %s', (_what, config, path) => {
    const result = SplitColumnConfig.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([path]);
  });
});

describe('split-column propagation and lineage', () => {
  it('puts the parts in the source column’s place, derived from it', () => {
    const result = propagate(named(['first', 'last']));
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'first:string', 'last:string', 'score:float']);
    expect(result.lineage.output).toEqual({
      id: { from: [{ port: 'input', column: 'id' }], how: 'copied' },
      first: { from: [{ port: 'input', column: 'full' }], how: 'derived' },
      last: { from: [{ port: 'input', column: 'full' }], how: 'derived' },
      score: { from: [{ port: 'input', column: 'score' }], how: 'copied' },
    });
  });

  it('keeps the original before numbered parts when asked', () => {
    const result = propagate(SplitColumnConfig.parse({ column: 'full', separator: ';', naming: 'count', count: 3, prefix: 'p', keepOriginal: true }));
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['id', 'full', 'p_1', 'p_2', 'p_3', 'score']);
    expect(result.lineage.output?.full?.how).toBe('copied');
  });

  it('lets a part reuse the name of the dropped original, but not of a kept one', () => {
    expect(propagate(named(['full', 'rest'])).issues).toEqual([]);
    const issues = propagate(named(['full', 'rest'], { keepOriginal: true })).issues ?? [];
    expect(issues.map((i) => [i.code, i.path.join('.')])).toEqual([['DUPLICATE_OUTPUT_COLUMN', 'names.0.name']]);
  });

  it('reports clashes case-insensitively, unknown and non-text columns, and bad patterns', () => {
    expect(propagate(named(['SCORE', 'x'])).issues?.map((i) => [i.code, i.path.join('.'), i.message])).toEqual([
      ['DUPLICATE_OUTPUT_COLUMN', 'names.0.name', 'The output already has a column "score"; choose another name for part 1 ("SCORE")'],
    ]);
    expect(propagate(named(['a', 'A'])).issues?.map((i) => i.path.join('.'))).toEqual(['names.1.name']);
    expect(propagate(named(['a']), [{ name: 'ful', type: 'string' }]).issues?.[0]?.message).toContain('did you mean "ful"');
    expect(propagate(SplitColumnConfig.parse({ column: 'score', separator: '.', names: [{ name: 'a' }] })).issues?.map((i) => i.code)).toEqual(['TYPE_MISMATCH']);
    expect(propagate(named(['a'], { mode: 'regex', separator: '(' })).issues?.map((i) => [i.code, i.path.join('.')])).toEqual([['INVALID_VALUE', 'separator']]);
  });
});

describe('split-column plan', () => {
  it('extracts each part from one split, binding the separator', () => {
    expect(sqlOf(named(['first', 'last']))).toMatchInlineSnapshot(`
      {
        "params": [
          ";",
          ";",
        ],
        "sql": "SELECT "id", list_extract(string_split("full", $1), 1) AS "first", list_extract(string_split("full", $2), 2) AS "last", "score" FROM "t"",
      }
    `);
    expect(sqlOf(named(['a'], { mode: 'regex', separator: '\\s*;\\s*' })).sql).toContain('list_extract(regexp_split_to_array("full", $1), 1) AS "a"');
  });
});

describe('split-column rows', () => {
  it('match PostgreSQL string_to_array: extra pieces dropped, missing ones NULL, NULL stays NULL', async () => {
    const config = named(['first', 'last', 'year'], { keepOriginal: true });
    const sluice = await runNode({ kind: 'split-column', config, inputs: { input: people } });
    const oracle = await postgresRows(
      { people },
      `SELECT id, "full", (string_to_array("full", ';'))[1] AS first, (string_to_array("full", ';'))[2] AS last, (string_to_array("full", ';'))[3] AS year, score FROM people`,
    );
    expect(sluice.columns).toEqual(['id', 'full', 'first', 'last', 'year', 'score']);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.find((r) => String(r.id) === '2')).toMatchObject({ first: 'Zoë', last: 'Ünal', year: null });
  });

  it('match PostgreSQL regexp_split_to_array when splitting on a pattern into numbered parts', async () => {
    const input: TestInput = {
      columns: [{ name: 'v', type: 'string' }],
      rows: [{ v: 'a1b22c' }, { v: 'x' }, { v: null }, { v: 'é9ü' }, { v: 'é9ü' }],
    };
    const config = SplitColumnConfig.parse({ column: 'v', mode: 'regex', separator: '[0-9]+', naming: 'count', count: 2, prefix: 'p' });
    const sluice = await runNode({ kind: 'split-column', config, inputs: { input } });
    const oracle = await postgresRows({ input }, `SELECT (regexp_split_to_array(v, '[0-9]+'))[1] AS p_1, (regexp_split_to_array(v, '[0-9]+'))[2] AS p_2 FROM input`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('takes a regex metacharacter literally in delimiter mode', async () => {
    const input: TestInput = { columns: [{ name: 'v', type: 'string' }], rows: [{ v: 'a.b.c' }, { v: 'a|b' }] };
    const sluice = await runNode({ kind: 'split-column', config: { column: 'v', separator: '.', names: [{ name: 'x' }, { name: 'y' }] }, inputs: { input } });
    expect(sluice.rows).toEqual([
      { x: 'a', y: 'b' },
      { x: 'a|b', y: null },
    ]);
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'split-column', config: named(['first', 'last']), inputs: { input: { ...people, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toEqual(['id', 'first', 'last', 'score']);
  });
});
