import { z } from 'zod';
import type { Relation } from '../../sql/ast';
import { defineNode, type ColumnLineage, type NodeIssue } from '../define-node';

// The user writes one DuckDB SELECT over the node's inputs, which it sees as
// relations named after the input ports (input_1, input_2) and nothing else
// (engine/statement-guard.ts enforces that; input_2 is optional and, when not
// connected, simply not there). The output columns are what DuckDB describes
// for the query over empty inputs of the propagated types; result types Sluice
// has no name for are reported as string. Lineage is coarse: every output
// column is 'derived' from every input column.
export const SqlConfig = z.object({
  sql: z.string().trim().min(1, 'Write a SELECT query').max(100_000),
});
export type SqlConfig = z.infer<typeof SqlConfig>;

const QUERY_KEY = 'sql';
const PORTS = ['input_1', 'input_2'] as const;

export const sql = defineNode({
  kind: 'sql',
  version: 1,
  category: 'transform',
  failsOnData: () => true,
  label: 'SQL',
  icon: 'SQL',
  description:
    'Runs one DuckDB SELECT over the inputs, which the query reads as input_1 and input_2 (joins, CTEs, GROUP BY, window functions and set operations are fine). It cannot read files, settings, table functions or any other table. The output columns are whatever the query returns.',
  ports: {
    inputs: [
      { name: 'input_1', label: 'input_1' },
      { name: 'input_2', label: 'input_2', optional: true },
    ],
    outputs: [{ name: 'output', label: 'Rows' }],
  },
  config: SqlConfig,
  initialConfig: { sql: 'SELECT *\nFROM input_1\n' },
  fields: [{ key: 'sql', widget: 'code', language: 'sql', label: 'Query', help: 'One SELECT over input_1 (and input_2 when connected).' }],
  expressions: (config) => [{ key: QUERY_KEY, kind: 'query', sql: config.sql, port: 'input_1', ports: [...PORTS], path: ['sql'] }],
  propagate: ({ inputs, queries = {} }) => {
    const columns = queries[QUERY_KEY] ?? [];
    const issues: NodeIssue[] = [];
    const seen = new Set<string>();
    for (const c of columns) {
      const key = c.name.toLowerCase();
      if (seen.has(key)) issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: ['sql'], message: `The query returns column "${c.name}" twice; give one of them another name with AS` });
      seen.add(key);
    }
    const from = PORTS.flatMap((port) => (inputs[port] ?? []).map((c) => ({ port, column: c.name })));
    const lineage: Record<string, ColumnLineage> = Object.fromEntries(columns.map((c) => [c.name, { from, how: 'derived' as const }]));
    return { outputs: { output: columns }, lineage: { output: lineage }, issues };
  },
  plan: ({ nodeId, config, inputs, outputTable }) => {
    const bindings: { name: string; relation: Relation }[] = PORTS.flatMap((name) => {
      const relation = inputs[name];
      return relation ? [{ name, relation }] : [];
    });
    if (!inputs.input_1) throw new Error(`sql node ${nodeId} planned without input_1`);
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items: '*', from: { t: 'checkedQuery', sql: config.sql, bindings, alias: 'sql_query' } } }];
  },
});
