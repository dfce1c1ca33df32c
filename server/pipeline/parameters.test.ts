import { describe, expect, it } from 'vitest';
import { linearPipeline } from '../testing/pipelines';
import { VisualPipelineSchema } from './model';
import { checkParameterReferences, coerceParameterValue, parameterReferences, resolveParameters, sqlConstant, substituteText } from './parameters';

describe('pipeline parameters', () => {
  it('types values of each type and names the parameter when one is wrong', () => {
    expect(coerceParameterValue({ name: 'n', type: 'integer' }, ' -42 ')).toBe(-42);
    expect(coerceParameterValue({ name: 'f', type: 'float' }, '1e3')).toBe(1000);
    expect(coerceParameterValue({ name: 'b', type: 'boolean' }, 'false')).toBe(false);
    expect(coerceParameterValue({ name: 'd', type: 'date' }, '2024-02-29')).toBe('2024-02-29');
    expect(coerceParameterValue({ name: 't', type: 'timestamp' }, '2024-03-31 02:30+02:00')).toBe('2024-03-31T00:30:00.000Z');
    expect(coerceParameterValue({ name: 't', type: 'timestamp' }, '2024-01-01T10:00:00.123456')).toBe('2024-01-01T10:00:00.123Z');
    expect(coerceParameterValue({ name: 's', type: 'string' }, 'ünïcødé ✓')).toBe('ünïcødé ✓');
    expect(() => coerceParameterValue({ name: 'n', type: 'integer' }, 2 ** 60)).toThrow('Parameter "n" expects a whole number');
    expect(() => coerceParameterValue({ name: 'f', type: 'float' }, 'NaN')).toThrow('Parameter "f" expects a finite number, got "NaN"');
    expect(() => coerceParameterValue({ name: 'b', type: 'boolean' }, 'yes')).toThrow('Parameter "b" expects true or false');
    expect(() => coerceParameterValue({ name: 'd', type: 'date' }, '2023-02-29')).toThrow('Parameter "d" expects a date as YYYY-MM-DD');
    expect(() => coerceParameterValue({ name: 't', type: 'timestamp' }, '2024-01-01T25:00')).toThrow('Parameter "t" expects a timestamp');
    expect(() => coerceParameterValue({ name: 's', type: 'string' }, 5)).toThrow('Parameter "s" expects text, got 5');
  });

  it('fills defaults, requires values without one, and refuses unknown names', () => {
    const decls = [
      { name: 'day', type: 'date' as const },
      { name: 'limit', type: 'integer' as const, default: '10' },
    ];
    expect(resolveParameters(decls, { day: '2024-01-01' })).toEqual({ day: '2024-01-01', limit: 10 });
    expect(resolveParameters(decls, { day: '2024-01-01', limit: null })).toEqual({ day: '2024-01-01', limit: 10 });
    expect(() => resolveParameters(decls, {})).toThrow('Parameter "day" needs a value (type date; it has no default)');
    expect(() => resolveParameters(decls, { day: '2024-01-01', lmit: 3 })).toThrow('Parameter "lmit" is not declared by this pipeline (it declares day, limit)');
    expect(() => resolveParameters([{ name: 'x', type: 'integer', default: 'ten' }], {})).toThrow('Parameter "x" expects a whole number');
  });

  it('reads old documents without parameters and refuses duplicate names', () => {
    expect(VisualPipelineSchema.parse(linearPipeline()).parameters).toBeUndefined();
    const doc = { ...linearPipeline(), parameters: [{ name: 'a', type: 'string' }, { name: 'a', type: 'integer' }] };
    expect(VisualPipelineSchema.safeParse(doc).error?.issues[0]?.message).toBe('Parameter "a" is declared twice');
  });

  it('finds placeholders and tells text fields from SQL and code', () => {
    const doc = linearPipeline({ sink: { format: 'csv', path: 'out/{{params.day}}.csv' } });
    doc.nodes.push(
      { id: 'd', kind: 'derive-columns', version: 1, position: { x: 0, y: 0 }, config: { columns: [{ name: 'x', expression: 'amount * {{ params.f }}' }] } },
      { id: 'q', kind: 'sql', version: 1, position: { x: 0, y: 0 }, config: { sql: 'SELECT * FROM input_1 WHERE a > {{params.f}}' } },
      { id: 'js', kind: 'javascript', version: 1, position: { x: 0, y: 0 }, config: { code: 'const x = {{params.f}}' } },
    );
    expect(parameterReferences(doc)).toEqual([
      { nodeId: 'out', path: ['path'], name: 'day', field: 'text' },
      { nodeId: 'd', path: ['columns', 0, 'expression'], name: 'f', field: 'sql' },
      { nodeId: 'q', path: ['sql'], name: 'f', field: 'sql' },
      { nodeId: 'js', path: ['code'], name: 'f', field: 'javascript' },
    ]);
    expect(() => checkParameterReferences({ ...doc, parameters: [{ name: 'day', type: 'date' }, { name: 'f', type: 'float' }] })).toThrow('Node "js" (field code) uses {{params.f}} in JavaScript code');
    doc.nodes.pop();
    expect(() => checkParameterReferences({ ...doc, parameters: [{ name: 'day', type: 'date' }] })).toThrow('Node "d" (field columns.0.expression) uses {{params.f}}, but the pipeline declares no parameter "f"');
  });

  it('substitutes text and renders typed SQL constants', () => {
    expect(substituteText('out/{{params.day}}/{{params.n}}.csv', { day: '2024-01-01', n: 3 })).toBe('out/2024-01-01/3.csv');
    expect(sqlConstant('string', "it's")).toBe("('it''s'::VARCHAR)");
    expect(sqlConstant('integer', -7)).toBe('(CAST(-7 AS BIGINT))');
    expect(sqlConstant('float', 1e-7)).toBe("(CAST('1e-7' AS DOUBLE))");
    expect(sqlConstant('boolean', true)).toBe('(true)');
    expect(sqlConstant('date', '2024-01-01')).toBe("(DATE '2024-01-01')");
    expect(sqlConstant('timestamp', '2024-01-01T00:00:00.000Z')).toBe("(TIMESTAMPTZ '2024-01-01T00:00:00.000Z')");
    expect(() => sqlConstant('date', "2024-01-01' OR 1=1")).toThrow();
  });
});
