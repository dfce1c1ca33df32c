import { describe, expect, it } from 'vitest';
import { resolveParameters } from '@/server/pipeline/parameters';
import type { ParameterDeclaration } from '@/server/pipeline/model';
import { initialRunTexts, runValues } from './run-values';

const parameters: ParameterDeclaration[] = [
  { name: 'min', type: 'float', default: 100 },
  { name: 'day', type: 'date' },
  { name: 'who', type: 'string' },
  { name: 'dry', type: 'boolean', default: false },
];

describe('run dialog values', () => {
  it('prefills the defaults', () => {
    expect(initialRunTexts(parameters)).toEqual({ min: '100', day: '', who: '', dry: 'false' });
  });

  it('sends what the run start accepts, leaving empty inputs to their defaults', () => {
    const result = runValues(parameters, { min: '', day: '2024-03-01', who: 'ann', dry: 'true' });
    expect(result).toEqual({ ok: true, values: { day: '2024-03-01', who: 'ann', dry: 'true' } });
    if (result.ok) expect(resolveParameters(parameters, result.values)).toEqual({ min: 100, day: '2024-03-01', who: 'ann', dry: true });
  });

  it('names each parameter whose value is missing or of the wrong type', () => {
    expect(runValues(parameters, { min: 'lots', day: '', who: '', dry: 'false' })).toEqual({
      ok: false,
      errors: { min: 'Parameter "min" expects a finite number, got "lots"', day: 'Parameter "day" needs a value (date)' },
    });
  });
});
