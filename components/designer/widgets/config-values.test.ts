import { describe, expect, it } from 'vitest';
import { formatNumberInput, parseNumberInput, readBoolean, readColumns, readString, readStringList } from './config-values';

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

  it('show numbers in a number input, blank otherwise', () => {
    expect(formatNumberInput(42)).toBe('42');
    expect(formatNumberInput(-1.5)).toBe('-1.5');
    expect(formatNumberInput(0)).toBe('0');
    expect(formatNumberInput(' 7 ')).toBe('7');
    expect(formatNumberInput(Number.NaN)).toBe('');
    expect(formatNumberInput(Infinity)).toBe('');
    expect(formatNumberInput('abc')).toBe('');
    expect(formatNumberInput('')).toBe('');
    expect(formatNumberInput(undefined)).toBe('');
    expect(formatNumberInput(true)).toBe('');
  });

  it('parse number input text, blank meaning no value', () => {
    expect(parseNumberInput('42')).toBe(42);
    expect(parseNumberInput('-0.25')).toBe(-0.25);
    expect(parseNumberInput('1e3')).toBe(1000);
    expect(parseNumberInput('0')).toBe(0);
    expect(parseNumberInput('')).toBeUndefined();
    expect(parseNumberInput('  ')).toBeUndefined();
    expect(parseNumberInput('-')).toBeUndefined();
    expect(parseNumberInput('abc')).toBeUndefined();
  });
});
