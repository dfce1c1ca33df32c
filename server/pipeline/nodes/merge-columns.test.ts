import { describe, expect, it } from 'vitest';
import { renderSelect, table } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { mergeColumns, MergeColumnsConfig } from './merge-columns';

const addresses: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'street', type: 'string' },
    { name: 'number', type: 'integer' },
    { name: 'city', type: 'string' },
    { name: 'since', type: 'date' },
  ],
  rows: [
    { id: 1, street: 'Main St', number: 12, city: 'Springfield', since: '2024-01-31' },
    { id: 2, street: 'Königsallee', number: null, city: 'Düsseldorf', since: null },
    { id: 3, street: null, number: null, city: null, since: null },
    { id: 4, street: '東京通り', number: 7, city: null, since: '2020-02-29' },
    { id: 5, street: '東京通り', number: 7, city: null, since: '2020-02-29' },
  ],
};
const columns = addresses.columns;

const config = (over: Record<string, unknown> = {}) => MergeColumnsConfig.parse({ columns: ['street', 'number', 'city'], separator: ', ', as: 'address', ...over });
const propagate = (c: MergeColumnsConfig) => mergeColumns.propagate({ config: c, inputs: { input: columns } });

function sqlOf(c: MergeColumnsConfig) {
  const [op] = mergeColumns.plan({ nodeId: 'm', config: c, inputs: { input: table('t') }, inputColumns: { input: columns }, outputTable: () => 'o' });
  if (op?.op !== 'materialize') throw new Error('expected one materialize op');
  return renderSelect(op.query, { resolveFile: () => '' });
}

describe('merge-columns config', () => {
  it('defaults to a space, skipping NULLs and keeping the sources', () => {
    expect(MergeColumnsConfig.parse({ columns: ['a', 'b'], as: 'ab' })).toEqual({ columns: ['a', 'b'], separator: ' ', nulls: 'skip', as: 'ab', dropSources: false });
  });

  it.each([
    ['one column', { columns: ['a'], as: 'x' }, ['columns']],
    ['no name', { columns: ['a', 'b'], as: ' ' }, ['as']],
    ['an unknown NULL policy', { columns: ['a', 'b'], as: 'x', nulls: 'drop' }, ['nulls']],
  ])('rejects %s', (_what, c, path) => {
    const result = MergeColumnsConfig.safeParse(c);
    expect(result.error?.issues.map((i) => i.path)).toEqual([path]);
  });
});

describe('merge-columns propagation and lineage', () => {
  it('appends a text column derived from every source', () => {
    const result = propagate(config());
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'street:string', 'number:integer', 'city:string', 'since:date', 'address:string']);
    expect(result.lineage.output?.address).toEqual({
      from: [
        { port: 'input', column: 'street' },
        { port: 'input', column: 'number' },
        { port: 'input', column: 'city' },
      ],
      how: 'derived',
    });
    expect(result.lineage.output?.street?.how).toBe('copied');
  });

  it('takes the first source’s place when the sources are dropped, and may reuse a dropped name', () => {
    const result = propagate(config({ dropSources: true, as: 'STREET' }));
    expect(result.issues).toEqual([]);
    expect(result.outputs.output?.map((c) => c.name)).toEqual(['id', 'STREET', 'since']);
    expect(Object.keys(result.lineage.output ?? {}).sort()).toEqual(['STREET', 'id', 'since']);
  });

  it('reports a clash with a kept column, unknown columns and repeats', () => {
    const result = propagate(config({ columns: ['street', 'citi', 'street'], as: 'ID' }));
    expect(result.issues?.map((i) => [i.code, i.severity ?? 'error', i.path.join('.')])).toEqual([
      ['UNKNOWN_COLUMN', 'error', 'columns.1'],
      ['INVALID_CONFIG', 'warning', 'columns.2'],
      ['DUPLICATE_OUTPUT_COLUMN', 'error', 'as'],
    ]);
    expect(result.issues?.[0]?.message).toContain('did you mean "city"');
  });
});

describe('merge-columns plan', () => {
  it('renders concat_ws with a bound separator, non-text sources cast to text', () => {
    expect(sqlOf(config({ dropSources: true })).sql).toMatchInlineSnapshot(
      `"SELECT "id", CASE WHEN (("street" IS NULL) AND ("number" IS NULL) AND ("city" IS NULL)) THEN NULL ELSE concat_ws($1, "street", CAST("number" AS VARCHAR), "city") END AS "address", "since" FROM "t""`,
    );
    expect(sqlOf(config({ nulls: 'empty' })).sql).toContain(`concat_ws($1, coalesce("street", ''), coalesce(CAST("number" AS VARCHAR), ''), coalesce("city", ''))`);
  });
});

describe('merge-columns rows', () => {
  it.each([
    ['skip', `CASE WHEN street IS NULL AND number IS NULL AND city IS NULL AND since IS NULL THEN NULL ELSE concat_ws(' / ', street, number::text, city, since::text) END`],
    ['empty', `concat_ws(' / ', coalesce(street, ''), coalesce(number::text, ''), coalesce(city, ''), coalesce(since::text, ''))`],
    ['null', `street || ' / ' || number::text || ' / ' || city || ' / ' || since::text`],
  ])('match PostgreSQL with NULLs %s', async (nulls, expression) => {
    const c = config({ columns: ['street', 'number', 'city', 'since'], separator: ' / ', nulls });
    const sluice = await runNode({ kind: 'merge-columns', config: c, inputs: { input: addresses } });
    const oracle = await postgresRows({ addresses }, `SELECT id, street, number, city, since, ${expression} AS address FROM addresses`);
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
  });

  it('gives NULL for all-NULL rows when skipping, and empty separators when treating NULL as empty', async () => {
    const skip = await runNode({ kind: 'merge-columns', config: config({ separator: '-' }), inputs: { input: addresses } });
    expect(skip.rows.map((r) => r.address)).toEqual(['Main St-12-Springfield', 'Königsallee-Düsseldorf', null, '東京通り-7', '東京通り-7']);
    const empty = await runNode({ kind: 'merge-columns', config: config({ separator: '-', nulls: 'empty', dropSources: true }), inputs: { input: addresses } });
    expect(empty.columns).toEqual(['id', 'address', 'since']);
    expect(empty.rows.map((r) => r.address)).toEqual(['Main St-12-Springfield', 'Königsallee--Düsseldorf', '--', '東京通り-7-', '東京通り-7-']);
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'merge-columns', config: config(), inputs: { input: { ...addresses, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toContain('address');
  });
});
