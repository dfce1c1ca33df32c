import { z } from 'zod';
import { cast, col, type Select, type SelectItem } from '../../sql/ast';
import { defineNode, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

// Two required inputs and two optional ones; more are combined by chaining unions.
const ports = ['first', 'second', 'third', 'fourth'] as const;
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
  const columns: UnionColumn[] = [];
  const byName = new Map<string, UnionColumn>();
  /** Where each column's current type came from, for the message. */
  const typedBy = new Map<UnionColumn, Port>();
  for (const port of ports) {
    for (const c of inputs[port] ?? []) {
      const match = byName.get(c.name.toLowerCase());
      if (!match) {
        const added: UnionColumn = { column: c, sources: { [port]: c } };
        columns.push(added);
        byName.set(c.name.toLowerCase(), added);
        typedBy.set(added, port);
        continue;
      }
      const type = combined(match.column.type, c.type);
      if (type === undefined) {
        issues.push({
          code: 'TYPE_MISMATCH',
          path: [],
          message: `Column "${match.column.name}" is ${match.column.type} in the ${typedBy.get(match) ?? 'first'} input but ${c.type} in the ${port}; convert one of them first`,
        });
        continue;
      }
      match.column = { name: match.column.name, type };
      match.sources[port] = c;
    }
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
    'Stacks the rows of its inputs (two to four), keeping duplicates. Columns are matched by name (ignoring case); a column an input lacks is NULL in that input’s rows. ' +
    'The output has the first input’s columns, then each later input’s new ones. A column that is integer in one input and float in another becomes float; other type differences are errors. ' +
    'To combine more inputs, chain unions.',
  ports: {
    inputs: [
      { name: 'first', label: 'First' },
      { name: 'second', label: 'Second' },
      { name: 'third', label: 'Third', optional: true },
      { name: 'fourth', label: 'Fourth', optional: true },
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
    const connected = ports.filter((port) => inputColumns[port] !== undefined);
    const side = (port: Port): Select => {
      const from = inputs[port];
      if (!from) throw new Error(`union planned without its ${port} input`);
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
      from: { t: 'unionByName', inputs: connected.map(side), alias: 'u' },
    };
    return [{ op: 'materialize', table: outputTable('output'), query }];
  },
});
