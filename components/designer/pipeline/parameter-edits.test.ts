import { describe, expect, it } from 'vitest';
import { changeParameterType, defaultFromInput, newParameterName, parameterIssues, parameterNameProblem, parameterUsages, renameParameterReferences } from './parameter-edits';

describe('parameter names', () => {
  it('picks the first free paramN', () => {
    expect(newParameterName([])).toBe('param1');
    expect(newParameterName([{ name: 'param1', type: 'string' }, { name: 'param3', type: 'string' }])).toBe('param2');
  });

  it('names the offending name in the message', () => {
    expect(parameterNameProblem('day', [])).toBeNull();
    expect(parameterNameProblem('', [])).toBe('A parameter needs a name');
    expect(parameterNameProblem('1st', [])).toBe('"1st" cannot name a parameter: use 1–64 letters, digits or _, not starting with a digit');
    expect(parameterNameProblem('my-day', [])).toMatch(/^"my-day" cannot name a parameter/);
    expect(parameterNameProblem('day', [{ name: 'day', type: 'date' }])).toBe('Another parameter is already named "day"');
  });
});

describe('parameter issues', () => {
  it('reports bad defaults and duplicates, naming the parameter', () => {
    const issues = parameterIssues([
      { name: 'day', type: 'date', default: '2024-02-30' },
      { name: 'min', type: 'integer', default: 'ten' },
      { name: 'min', type: 'float', default: 1.5 },
      { name: 'ok', type: 'boolean', default: true },
    ]);
    expect(issues).toEqual([
      { index: 0, field: 'default', message: 'Default: Parameter "day" expects a date as YYYY-MM-DD, got "2024-02-30"' },
      { index: 1, field: 'default', message: expect.stringMatching(/^Default: Parameter "min" expects a whole number/) as unknown },
      { index: 2, field: 'name', message: 'Parameter "min" is declared twice' },
    ]);
  });
});

describe('defaults from form inputs', () => {
  it('types numbers and booleans, keeps text that does not read as one, and empty means none', () => {
    expect(defaultFromInput('integer', '42')).toBe(42);
    expect(defaultFromInput('integer', '4.5')).toBe('4.5');
    expect(defaultFromInput('float', '1.25')).toBe(1.25);
    expect(defaultFromInput('boolean', 'false')).toBe(false);
    expect(defaultFromInput('date', '2024-01-31')).toBe('2024-01-31');
    expect(defaultFromInput('integer', ' ')).toBeUndefined();
    expect(defaultFromInput('string', '')).toBeUndefined();
    expect(defaultFromInput('string', ' ')).toBe(' ');
  });

  it('converts a default on a type change when it fits, and keeps it otherwise', () => {
    expect(changeParameterType({ name: 'n', type: 'string', default: '5' }, 'integer')).toEqual({ name: 'n', type: 'integer', default: 5 });
    expect(changeParameterType({ name: 'n', type: 'string', default: 'abc' }, 'integer')).toEqual({ name: 'n', type: 'integer', default: 'abc' });
    expect(changeParameterType({ name: 'n', type: 'integer', default: 5 }, 'string')).toEqual({ name: 'n', type: 'string', default: 5 });
    expect(changeParameterType({ name: 'n', type: 'string' }, 'date')).toEqual({ name: 'n', type: 'date' });
  });
});

describe('placeholders', () => {
  it('renames only the parameter’s own placeholders, at any depth', () => {
    const config = { path: 'x/{{params.day}}/{{ params.dayx }}.csv', rules: [{ value: '{{ params.day }}' }], n: 3 };
    expect(renameParameterReferences(config, 'day', 'date')).toEqual({ path: 'x/{{params.date}}/{{ params.dayx }}.csv', rules: [{ value: '{{params.date}}' }], n: 3 });
    expect(renameParameterReferences(config, 'other', 'x')).toBe(config);
  });

  it('lists where each parameter is used, and placeholders naming none', () => {
    const report = parameterUsages(
      [
        { id: 'src', kind: 'csv-source', label: 'Orders', config: { path: 'in/{{params.day}}.csv' } },
        { id: 'code', kind: 'javascript', label: 'Script', config: { code: 'return {{params.day}}' } },
        { id: 'keep', kind: 'filter', label: 'Big', config: { rules: [{ value: '{{params.mni}}' }] } },
      ],
      [
        { name: 'day', type: 'date' },
        { name: 'min', type: 'float' },
      ],
    );
    expect(report.byName.get('day')).toEqual([
      { nodeId: 'src', nodeLabel: 'Orders', field: 'path', refused: false },
      { nodeId: 'code', nodeLabel: 'Script', field: 'code', refused: true },
    ]);
    expect(report.byName.get('min')).toEqual([]);
    expect(report.undeclared).toEqual([{ name: 'mni', nodeId: 'keep', nodeLabel: 'Big', field: 'rules.0.value', refused: false }]);
  });
});
