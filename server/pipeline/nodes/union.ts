import { z } from 'zod';
import { cast, col, type Select, type SelectItem } from '../../sql/ast';
import { defineNode, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

// Two inputs: the compiler requires every declared input port to be connected,
// so more inputs are combined by chaining unions.
const ports = ['first', 'second'] as const;
type Port = (typeof ports)[number];

export const UnionConfig = z.object({});
export type UnionConfig = z.infer<typeof UnionConfig>;

interface UnionColumn {
  column: Column;
  /** The input column feeding it on each port that has it. */
  sources: Partial<Record<Port, Column>>;
}

/** Integer and float combine to float; any other pair of different types is a mismatch. */
function combined(a: ColumnType, b: ColumnType): ColumnType | undefined {
  if (a === b) return a;
  const numeric = new Set<ColumnType>(['integer', 'float']);
  return numeric.has(a) && numeric.has(b) ? 'float' : undefined;
}

/**
 * Columns match by name, case-insensitively as in DuckDB, and keep the first
 * input's spelling. Order: the first input's columns, then the second's new ones.
 */
function unionShape(inputs: Record<string, Column[]>): { columns: UnionColumn[]; issues: NodeIssue[] } {
  const issues: NodeIssue[] = [];
  const columns: UnionColumn[] = (inputs.first ?? []).map((c) => ({ column: c, sources: { first: c } }));
  const byName = new Map(columns.map((u) => [u.column.name.toLowerCase(), u]));
  for (const c of inputs.second ?? []) {
    const match = byName.get(c.name.toLowerCase());
    if (!match) {
      const added: UnionColumn = { column: c, sources: { second: c } };
      columns.push(added);
      byName.set(c.name.toLowerCase(), added);
      continue;
    }
    const type = combined(match.column.type, c.type);
    if (type === undefined) {
      issues.push({
        code: 'TYPE_MISMATCH',
        path: [],
        message: `Column "${match.column.name}" is ${match.column.type} in the first input but ${c.type} in the second; convert one of them first`,
      });
      continue;
    }
    match.column = { name: match.column.name, type };
    match.sources.second = c;
  }
  return { columns, issues };
}

function lineageOf(u: UnionColumn): ColumnLineage {
  const from = ports.flatMap((port) => {
    const source = u.sources[port];
    return source ? [{ port, column: source.name }] : [];
  });
  return { from, how: from.every((f) => f.column === u.column.name) ? 'copied' : 'renamed' };
}

export const union = defineNode({
  kind: 'union',
  version: 1,
  category: 'transform',
  label: 'Union',
  icon: '∪',
  description:
    'Stacks the rows of both inputs, keeping duplicates. Columns are matched by name (ignoring case); a column only one input has is NULL in the other input’s rows. ' +
    'The output has the first input’s columns, then the second’s new ones. A column that is integer in one input and float in the other becomes float; other type differences are errors. ' +
    'To combine more inputs, chain unions.',
  ports: {
    inputs: [
      { name: 'first', label: 'First' },
      { name: 'second', label: 'Second' },
    ],
    outputs: [{ name: 'output', label: 'All rows' }],
  },
  config: UnionConfig,
  initialConfig: {},
  fields: [],
  propagate: ({ inputs }) => {
    const { columns, issues } = unionShape(inputs);
    return {
      outputs: { output: columns.map((u) => u.column) },
      lineage: { output: Object.fromEntries(columns.map((u) => [u.column.name, lineageOf(u)])) },
      issues,
    };
  },
  plan: ({ inputs, inputColumns, outputTable }) => {
    const { columns } = unionShape(inputColumns);
    // Each side projects its columns under the output's names and types, so
    // UNION ALL BY NAME only has to fill in the columns a side lacks.
    const side = (port: Port): Select => {
      const from = inputs[port];
      if (!from) throw new Error('union planned without both inputs');
      const items = columns.flatMap((u): SelectItem[] => {
        const source = u.sources[port];
        if (!source) return [];
        const expr = source.type === u.column.type ? col(source.name) : cast(col(source.name), u.column.type);
        return [source.name === u.column.name && expr.t === 'column' ? { expr } : { expr, as: u.column.name }];
      });
      return { t: 'select', items, from };
    };
    const query: Select = {
      t: 'select',
      items: columns.map((u) => ({ expr: col(u.column.name) })),
      from: { t: 'unionByName', inputs: ports.map(side), alias: 'u' },
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
