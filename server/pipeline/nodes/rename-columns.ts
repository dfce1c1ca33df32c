import { z } from 'zod';
import { col, type SelectItem } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column } from '../types';

export const Rename = z.object({
  from: z.string().min(1, 'Choose a column'),
  to: z
    .string()
    .trim()
    .min(1, 'Enter the new name')
    .max(255, 'The new name is longer than 255 characters')
    .refine((s) => !s.includes('\0'), 'The new name contains a NUL character'),
});
export type Rename = z.infer<typeof Rename>;

export const RenameColumnsConfig = z.object({
  renames: z.array(Rename).min(1, 'Add at least one rename'),
});
export type RenameColumnsConfig = z.infer<typeof RenameColumnsConfig>;

const caseNote = (a: string, b: string) => (a === b ? '' : ' (column names are case-insensitive)');

/**
 * The renames that apply (old name → new name) and the problems with the rest.
 * A rename whose new name clashes with another output column is not applied, so
 * the output stays free of duplicates while the user fixes it.
 */
function resolveRenames(renames: Rename[], columns: Column[]): { mapping: Map<string, string>; issues: NodeIssue[] } {
  const known = new Set(columns.map((c) => c.name));
  const issues: NodeIssue[] = [];
  let applied: (Rename & { index: number })[] = [];
  renames.forEach((r, index) => {
    if (!known.has(r.from)) issues.push(unknownColumnIssue(r.from, columns, ['renames', index, 'from']));
    else if (applied.some((a) => a.from === r.from)) {
      issues.push({ code: 'INVALID_CONFIG', path: ['renames', index, 'from'], message: `Column "${r.from}" is already renamed by an earlier entry` });
    } else applied.push({ ...r, index });
  });

  // DuckDB column names are case-insensitive. Dropping a clashing rename brings
  // its old name back, which can clash with a later rename: repeat until stable.
  for (;;) {
    const renamed = new Set(applied.map((a) => a.from));
    const untouched = new Map(columns.filter((c) => !renamed.has(c.name)).map((c) => [c.name.toLowerCase(), c.name]));
    const targets = new Map<string, Rename>();
    const clashing = new Set<number>();
    for (const a of applied) {
      const key = a.to.toLowerCase();
      const column = untouched.get(key);
      const earlier = targets.get(key);
      if (column !== undefined) {
        clashing.add(a.index);
        issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['renames', a.index, 'to'], message: `"${a.to}" is already the name of another column, "${column}"${caseNote(a.to, column)}` });
      } else if (earlier) {
        clashing.add(a.index);
        issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['renames', a.index, 'to'], message: `"${a.to}" is also the new name of "${earlier.from}"${caseNote(a.to, earlier.to)}` });
      } else targets.set(key, a);
    }
    if (clashing.size === 0) break;
    applied = applied.filter((a) => !clashing.has(a.index));
  }
  issues.sort((a, b) => Number(a.path[1]) - Number(b.path[1]));
  return { mapping: new Map(applied.map((a) => [a.from, a.to])), issues };
}

export const renameColumns = defineNode({
  kind: 'rename-columns',
  version: 1,
  category: 'transform',
  label: 'Rename columns',
  icon: '↦',
  description:
    'Gives columns new names. Values, types and column order stay the same. Names are case-insensitive, so a new name may not match another output column in any casing; renames apply together, so two columns can swap names.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: RenameColumnsConfig,
  initialConfig: { renames: [] },
  fields: [
    {
      key: 'renames',
      widget: 'list',
      label: 'Renames',
      itemLabel: 'Rename',
      addLabel: 'Add rename',
      newItem: { from: '', to: '' },
      itemFields: [
        { key: 'from', label: 'Column', widget: 'column', port: 'input' },
        { key: 'to', label: 'New name', widget: 'text', placeholder: 'new_name' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const { mapping, issues } = resolveRenames(config.renames, columns);
    const outputs: Column[] = columns.map((c) => ({ name: mapping.get(c.name) ?? c.name, type: c.type }));
    const lineage: Record<string, ColumnLineage> = Object.fromEntries(
      columns.map((c) => {
        const name = mapping.get(c.name) ?? c.name;
        return [name, { from: [{ port: 'input', column: c.name }], how: name === c.name ? 'copied' : 'renamed' }];
      }),
    );
    return { outputs: { output: outputs }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('rename-columns planned without an input');
    const columns = inputColumns.input ?? [];
    const { mapping } = resolveRenames(config.renames, columns);
    const items: SelectItem[] = columns.map((c) => {
      const to = mapping.get(c.name);
      return to === undefined || to === c.name ? { expr: col(c.name) } : { expr: col(c.name), as: to };
    });
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
