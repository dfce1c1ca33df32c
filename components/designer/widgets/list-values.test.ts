import { describe, expect, it } from 'vitest';
import { addItem, moveItem, readItems, removeItem, updateItem } from './list-values';

const a = { column: 'a', direction: 'asc' };
const b = { column: 'b', direction: 'desc' };
const c = { column: 'c' };

describe('list values', () => {
  it('read missing, non-array and junk values without shifting indices', () => {
    expect(readItems(undefined)).toEqual([]);
    expect(readItems({ column: 'a' })).toEqual([]);
    expect(readItems('a')).toEqual([]);
    expect(readItems([a, 'junk', null, [1], b])).toEqual([a, {}, {}, {}, b]);
  });

  it('add a deep copy of the template', () => {
    const template = { column: '', options: { nulls: 'last' } };
    const items = addItem([a], template);
    expect(items).toEqual([a, template]);
    expect(items[1]).not.toBe(template);
    expect(items[1]?.options).not.toBe(template.options);
  });

  it('remove by index', () => {
    expect(removeItem([a, b, c], 1)).toEqual([a, c]);
    expect(removeItem([a, b, c], 5)).toEqual([a, b, c]);
  });

  it('move items up and down, ignoring moves off either end', () => {
    expect(moveItem([a, b, c], 1, 0)).toEqual([b, a, c]);
    expect(moveItem([a, b, c], 1, 2)).toEqual([a, c, b]);
    expect(moveItem([a, b, c], 0, 2)).toEqual([b, c, a]);
    expect(moveItem([a, b, c], 0, -1)).toEqual([a, b, c]);
    expect(moveItem([a, b, c], 2, 3)).toEqual([a, b, c]);
    expect(moveItem([a, b, c], 7, 0)).toEqual([a, b, c]);
  });

  it('update one key of one item, removing it on undefined', () => {
    expect(updateItem([a, b], 1, 'column', 'x')).toEqual([a, { column: 'x', direction: 'desc' }]);
    expect(updateItem([a, b], 0, 'direction', undefined)).toEqual([{ column: 'a' }, b]);
    expect(updateItem([a], 3, 'column', 'x')).toEqual([a]);
  });

  it('never mutate their input', () => {
    const items = Object.freeze([Object.freeze({ ...a }), Object.freeze({ ...b })]);
    expect(() => {
      addItem(items, c);
      removeItem(items, 0);
      moveItem(items, 0, 1);
      updateItem(items, 0, 'column', 'z');
      updateItem(items, 0, 'column', undefined);
    }).not.toThrow();
    expect(items).toEqual([a, b]);
  });
});
