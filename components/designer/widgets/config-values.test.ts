import { describe, expect, it } from 'vitest';
import { readBoolean, readColumns, readRules, readString, readStringList } from './config-values';

describe('config readers', () => {
  it('read scalars leniently', () => {
    expect(readString('a')).toBe('a');
    expect(readString(3)).toBe('3');
    expect(readString(undefined)).toBe('');
    expect(readBoolean(true)).toBe(true);
    expect(readBoolean('true')).toBe(false);
  });

  it('keep the usable part of lists', () => {
    expect(readStringList(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(readStringList('a')).toEqual([]);
    expect(readColumns([{ name: 'id', type: 'integer' }, { name: '', type: 'nope' }, 'junk'])).toEqual([
      { name: 'id', type: 'integer' },
      { name: '', type: 'string' },
    ]);
  });

  it('read filter rules, defaulting unknown operators', () => {
    expect(readRules([{ column: 'age', op: 'gte', value: '18' }, { column: 'x', op: 'drop table' }])).toEqual([
      { column: 'age', op: 'gte', value: '18' },
      { column: 'x', op: 'eq', value: '' },
    ]);
    expect(readRules(null)).toEqual([]);
  });
});
