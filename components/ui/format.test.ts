import { describe, expect, it } from 'vitest';
import { formatDuration, formatRows, formatWhen } from './format';

describe('format', () => {
  it('prints row counts with thousands separators', () => {
    expect(formatRows(1234)).toBe('1,234 rows');
    expect(formatRows(1)).toBe('1 row');
    expect(formatRows(0)).toBe('0 rows');
  });

  it('prints durations at a sensible precision', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
  });

  it('prints a dash for missing times', () => {
    expect(formatWhen(null)).toBe('—');
  });
});
