import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import { issueAt, issueExactlyAt, midSentence } from './widget-types';

const at = (...path: (string | number)[]): Diagnostic => ({ code: 'UNKNOWN_COLUMN', severity: 'error', message: 'x', path });

describe('issue paths', () => {
  const issues = [at('sort', 1, 'column'), at('aggregates', 0)];

  it('issueAt matches a prefix below the field key', () => {
    expect(issueAt(issues, 1, 'column')).toBe(true);
    expect(issueAt(issues, 1)).toBe(true);
    expect(issueAt(issues, 1, 'direction')).toBe(false);
    expect(issueAt(issues, 0, 'column')).toBe(false);
  });

  it('issueExactlyAt ignores deeper paths', () => {
    expect(issueExactlyAt(issues, 0)).toBe(true);
    expect(issueExactlyAt(issues, 1)).toBe(false);
    expect(issueExactlyAt(issues, 1, 'column')).toBe(true);
  });
});

describe('midSentence', () => {
  it('lower-cases the first letter unless the label starts with an acronym', () => {
    expect(midSentence('Sort key')).toBe('sort key');
    expect(midSentence('Column')).toBe('column');
    expect(midSentence('column')).toBe('column');
    expect(midSentence('SQL expression')).toBe('SQL expression');
    expect(midSentence('A')).toBe('a');
    expect(midSentence('')).toBe('');
  });
});
