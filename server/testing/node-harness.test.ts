import { describe, expect, it } from 'vitest';
import { normalizeRows, runNode } from './node-harness';
import { postgresRows } from './postgres-oracle';

const people = {
  columns: [
    { name: 'id', type: 'integer' as const },
    { name: 'name', type: 'string' as const },
    { name: 'score', type: 'float' as const },
  ],
  rows: [
    { id: 1, name: 'Zoë', score: 9.5 },
    { id: 2, name: 'O\'Brien, "Bob"', score: null },
    { id: 3, name: null, score: 1.25 },
  ],
};

describe('the node harness and the PostgreSQL oracle agree on a filter', () => {
  it('filter score >= 1 keeps the same rows in both', async () => {
    const sluice = await runNode({ kind: 'filter', config: { combinator: 'and', rules: [{ column: 'score', op: 'gte', value: '1' }] }, inputs: { input: people } });
    const oracle = await postgresRows({ people }, 'SELECT * FROM people WHERE score >= 1');
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual([
      { id: 1, name: 'Zoë', score: 9.5 },
      { id: 3, name: null, score: 1.25 },
    ]);
  });

  it('round-trips unicode, quotes, commas and NULLs through the CSV inputs', async () => {
    const sluice = await runNode({ kind: 'select-columns', config: { columns: ['id', 'name', 'score'] }, inputs: { input: people } });
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(people.rows, { sort: true }));
  });

  it('handles empty inputs', async () => {
    const sluice = await runNode({ kind: 'select-columns', config: { columns: ['name'] }, inputs: { input: { ...people, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toEqual(['name']);
  });
});
