import { z } from 'zod';
import { cast, col, param, type Expr, type OrderItem, type Relation, type Select } from '../../sql/ast';
import { defineNode, unknownColumnIssue, type ColumnLineage, type ColumnUse, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

const Constant = z
  .string()
  .max(1000)
  .refine((s) => !s.includes('\0'), 'The text contains a NUL character')
  .default('');

export const GraphOutputConfig = z.object({
  idColumn: z.string().min(1, 'Choose the node id column'),
  /** Empty: every node gets the constant `label`. */
  labelColumn: z.string().default(''),
  label: Constant,
  propertyColumns: z.array(z.string().min(1, 'Choose a column')).default([]),
  /** Which row describes a node whose id occurs more than once: the first by this column. */
  orderBy: z.string().default(''),
  sourceColumn: z.string().min(1, 'Choose the edge source column'),
  targetColumn: z.string().min(1, 'Choose the edge target column'),
  /** Empty: every edge gets the constant `edgeType`. */
  edgeTypeColumn: z.string().default(''),
  edgeType: Constant,
  edgePropertyColumns: z.array(z.string().min(1, 'Choose a column')).default([]),
});
export type GraphOutputConfig = z.infer<typeof GraphOutputConfig>;

type Key = 'idColumn' | 'labelColumn' | 'orderBy' | 'sourceColumn' | 'targetColumn' | 'edgeTypeColumn';

function graphIssues(config: GraphOutputConfig, available: Column[]): { issues: NodeIssue[]; uses: ColumnUse[]; typeOf: (name: string) => ColumnType } {
  const byName = new Map(available.map((c) => [c.name, c]));
  const issues: NodeIssue[] = [];
  const single = (key: Key) => {
    const name = config[key];
    if (name !== '' && !byName.has(name)) issues.push(unknownColumnIssue(name, available, [key]));
  };
  (['idColumn', 'labelColumn', 'orderBy', 'sourceColumn', 'targetColumn', 'edgeTypeColumn'] as const).forEach(single);
  for (const key of ['propertyColumns', 'edgePropertyColumns'] as const) {
    config[key].forEach((name, i) => {
      if (!byName.has(name)) issues.push(unknownColumnIssue(name, available, [key, i]));
      else if (config[key].indexOf(name) !== i) issues.push({ code: 'INVALID_CONFIG', path: [key, i], message: `Column "${name}" is chosen twice` });
    });
  }
  const id = byName.get(config.idColumn);
  for (const key of ['sourceColumn', 'targetColumn'] as const) {
    const end = byName.get(config[key]);
    if (id && end && end.type !== id.type) {
      issues.push({ code: 'TYPE_MISMATCH', severity: 'warning', path: [key], message: `Edge ends should match node ids, but "${end.name}" is ${end.type} and the id column "${id.name}" is ${id.type}` });
    }
  }
  const uses: ColumnUse[] = config.orderBy !== '' && byName.has(config.orderBy) ? [{ port: 'input', column: config.orderBy, how: 'order' }] : [];
  return { issues, uses, typeOf: (name) => byName.get(name)?.type ?? 'string' };
}

/** A column or a bound constant, as text. */
const textOf = (column: string, constant: string, typeOf: (name: string) => ColumnType): Expr => (column === '' ? param(constant) : typeOf(column) === 'string' ? col(column) : cast(col(column), 'string'));

/** The chosen columns as one JSON object text, keys bound as parameters. */
const propertiesOf = (columns: string[]): Expr => cast({ t: 'call', fn: 'json_object', args: columns.flatMap((c) => [param(c), col(c)]) }, 'string');

const notNull = (column: string): Expr => ({ t: 'isNull', expr: col(column), negated: true });

function lineageOf(name: string, column: string): ColumnLineage {
  return { from: [{ port: 'input', column }], how: name === column ? 'copied' : 'renamed' };
}
const derivedFrom = (columns: string[]): ColumnLineage => ({ from: columns.map((column) => ({ port: 'input', column })), how: 'derived' });

function nodesQuery(config: GraphOutputConfig, input: Relation, typeOf: (name: string) => ColumnType): Select {
  const label = textOf(config.labelColumn, config.label, typeOf);
  const properties = propertiesOf(config.propertyColumns);
  // The first row by the order column wins; label and properties text break ties, so the choice is always the same.
  const order: OrderItem[] = [...(config.orderBy === '' ? [] : [{ expr: col(config.orderBy) }]), { expr: label }, { expr: properties }];
  return {
    t: 'select',
    items: [
      { expr: col(config.idColumn), as: 'id' },
      { expr: label, as: 'label' },
      { expr: properties, as: 'properties' },
    ],
    from: input,
    where: notNull(config.idColumn),
    qualify: { t: 'compare', op: '=', left: { t: 'window', fn: 'row_number', args: [], partitionBy: [col(config.idColumn)], orderBy: order }, right: { t: 'literal', value: 1 } },
  };
}

function edgesQuery(config: GraphOutputConfig, input: Relation, typeOf: (name: string) => ColumnType): Select {
  return {
    t: 'select',
    items: [
      { expr: col(config.sourceColumn), as: 'source' },
      { expr: col(config.targetColumn), as: 'target' },
      { expr: textOf(config.edgeTypeColumn, config.edgeType, typeOf), as: 'type' },
      { expr: propertiesOf(config.edgePropertyColumns), as: 'properties' },
    ],
    from: input,
    where: { t: 'logical', op: 'AND', items: [notNull(config.sourceColumn), notNull(config.targetColumn)] },
  };
}

export const graphOutput = defineNode({
  kind: 'graph-output',
  version: 1,
  category: 'transform',
  label: 'Graph (nodes and edges)',
  icon: '☍',
  description:
    'Splits rows into a property graph: the nodes output has id, label (a column or a constant) and properties (the chosen columns packed into a JSON object, as text); the edges output has source, target, type (a column or a constant) and properties. ' +
    'Node ids are unique: when several rows share an id, the first by the “first by” column wins (ascending, NULLs last), ties broken by the smallest label and then properties text, so the result does not depend on row order. ' +
    'Rows with a NULL id give no node and rows with a NULL source or target give no edge. Edges are not deduplicated, and an edge may point at an id that has no node.',
  ports: {
    inputs: [{ name: 'input', label: 'Rows' }],
    outputs: [
      { name: 'nodes', label: 'Nodes' },
      { name: 'edges', label: 'Edges' },
    ],
  },
  config: GraphOutputConfig,
  initialConfig: { idColumn: '', labelColumn: '', label: '', propertyColumns: [], orderBy: '', sourceColumn: '', targetColumn: '', edgeTypeColumn: '', edgeType: '', edgePropertyColumns: [] },
  fields: [
    { key: 'idColumn', widget: 'column', port: 'input', label: 'Node id' },
    { key: 'labelColumn', widget: 'column', port: 'input', label: 'Node label column', help: 'Leave empty to give every node the constant label below.' },
    { key: 'label', widget: 'text', label: 'Node label', placeholder: 'e.g. Person' },
    { key: 'propertyColumns', widget: 'columnList', port: 'input', label: 'Node properties' },
    { key: 'orderBy', widget: 'column', port: 'input', label: 'First by', help: 'When an id occurs in several rows, the row with the lowest value here describes the node.' },
    { key: 'sourceColumn', widget: 'column', port: 'input', label: 'Edge source' },
    { key: 'targetColumn', widget: 'column', port: 'input', label: 'Edge target' },
    { key: 'edgeTypeColumn', widget: 'column', port: 'input', label: 'Edge type column', help: 'Leave empty to give every edge the constant type below.' },
    { key: 'edgeType', widget: 'text', label: 'Edge type', placeholder: 'e.g. KNOWS' },
    { key: 'edgePropertyColumns', widget: 'columnList', port: 'input', label: 'Edge properties' },
  ],
  propagate: ({ config, inputs }) => {
    const { issues, uses, typeOf } = graphIssues(config, inputs.input ?? []);
    const nodeLabel = config.labelColumn === '' ? derivedFrom([]) : typeOf(config.labelColumn) === 'string' ? lineageOf('label', config.labelColumn) : derivedFrom([config.labelColumn]);
    const edgeType = config.edgeTypeColumn === '' ? derivedFrom([]) : typeOf(config.edgeTypeColumn) === 'string' ? lineageOf('type', config.edgeTypeColumn) : derivedFrom([config.edgeTypeColumn]);
    return {
      outputs: {
        nodes: [
          { name: 'id', type: typeOf(config.idColumn) },
          { name: 'label', type: 'string' },
          { name: 'properties', type: 'string' },
        ],
        edges: [
          { name: 'source', type: typeOf(config.sourceColumn) },
          { name: 'target', type: typeOf(config.targetColumn) },
          { name: 'type', type: 'string' },
          { name: 'properties', type: 'string' },
        ],
      },
      lineage: {
        nodes: { id: lineageOf('id', config.idColumn), label: nodeLabel, properties: derivedFrom(config.propertyColumns) },
        edges: { source: lineageOf('source', config.sourceColumn), target: lineageOf('target', config.targetColumn), type: edgeType, properties: derivedFrom(config.edgePropertyColumns) },
      },
      uses,
      issues,
    };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('graph-output planned without an input');
    const { typeOf } = graphIssues(config, inputColumns.input ?? []);
    return [
      { op: 'materialize', table: outputTable('nodes'), query: nodesQuery(config, input, typeOf) },
      { op: 'materialize', table: outputTable('edges'), query: edgesQuery(config, input, typeOf) },
    ];
  },
});
