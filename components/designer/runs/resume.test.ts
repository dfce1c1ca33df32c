import { describe, expect, it } from 'vitest';
import { reusedLabel, shortRunId } from './resume';

describe('resume wording', () => {
  it('counts the reused stages and shortens run ids', () => {
    const stages = [{ status: 'reused' as const }, { status: 'reused' as const }, { status: 'succeeded' as const }];
    expect(reusedLabel(stages)).toBe('2 stages reused');
    expect(reusedLabel(stages.slice(1))).toBe('1 stage reused');
    expect(reusedLabel([])).toBe('0 stages reused');
    expect(shortRunId('1a2b3c4d-0000-4000-8000-000000000000')).toBe('1a2b3c4d');
  });
});
