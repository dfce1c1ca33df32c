import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, VisualPipelineSchema, type VisualPipeline } from '@/server/pipeline/model';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { createNode, newEdgeId, nodeDisplayLabel, newNodeId, nodeAriaLabel, toCompileDocument, toDocument, toFlow, type DesignerEdge } from './document';

const pipeline: VisualPipeline = {
  formatVersion: FORMAT_VERSION,
  nodes: [
    { id: 'src', kind: 'csv-source', version: 1, label: 'Orders', position: { x: 0, y: 10 }, config: { path: 'orders.csv', columns: [{ name: 'id', type: 'integer' }] } },
    { id: 'keep', kind: 'filter', version: 1, position: { x: 250, y: 10 }, config: { combinator: 'and', rules: [] } },
    { id: 'out', kind: 'file-sink', version: 1, position: { x: 500, y: 10 }, config: { format: 'csv', path: 'output/a.csv' } },
  ],
  edges: [
    { id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'keep', port: 'input' } },
    { id: 'e2', source: { node: 'keep', port: 'output' }, target: { node: 'out', port: 'input' } },
  ],
};

describe('document ⇄ canvas', () => {
  it('round-trips a pipeline through the canvas shape unchanged', () => {
    const { nodes, edges } = toFlow(pipeline);
    expect(toDocument(nodes, edges)).toEqual(pipeline);
  });

  it('maps ports to handles and kinds into node data', () => {
    const { nodes, edges } = toFlow(pipeline);
    expect(nodes[0]).toMatchObject({ id: 'src', type: 'pipelineNode', position: { x: 0, y: 10 }, data: { kind: 'csv-source', version: 1, label: 'Orders' } });
    expect(nodes[1]?.data).not.toHaveProperty('label');
    expect(edges[0]).toEqual({ id: 'e1', source: 'src', sourceHandle: 'output', target: 'keep', targetHandle: 'input' });
  });

  it('drops canvas-only state and blank labels when saving', () => {
    const { nodes, edges } = toFlow(pipeline);
    const decorated = nodes.map((n, i) => ({ ...n, selected: i === 0, measured: { width: 200, height: 60 }, data: { ...n.data, label: i === 1 ? '   ' : n.data.label } }));
    const document = toDocument(decorated, edges);
    expect(document).toEqual(pipeline);
    expect(VisualPipelineSchema.safeParse(document).success).toBe(true);
  });

  it('leaves out edges that lack a handle', () => {
    const { nodes } = toFlow(pipeline);
    const edges: DesignerEdge[] = [{ id: 'bad', source: 'src', target: 'keep', sourceHandle: null, targetHandle: 'input' }];
    expect(toDocument(nodes, edges).edges).toEqual([]);
  });

  it('zeroes positions for the compiler so moving a node does not change the compile input', () => {
    const { nodes, edges } = toFlow(pipeline);
    const moved = nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: 99 } }));
    expect(toCompileDocument(moved, edges)).toEqual(toCompileDocument(nodes, edges));
    expect(toCompileDocument(nodes, edges).nodes.every((n) => n.position.x === 0 && n.position.y === 0)).toBe(true);
  });

  it('labels nodes by their own label, else their kind', () => {
    const labels = toFlow(pipeline).nodes.map((n) => [n.id, nodeDisplayLabel(n.data)]);
    expect(labels).toContainEqual(['src', 'Orders']);
    expect(labels).toContainEqual(['keep', 'Filter']);
  });
});

describe('new nodes', () => {
  it('gets ids of the form <kind>-<6 base36 chars>, and edges e-<random>', () => {
    expect(newNodeId('filter')).toMatch(/^filter-[0-9a-z]{6}$/);
    expect(newEdgeId()).toMatch(/^e-[0-9a-z]+$/);
    expect(new Set(Array.from({ length: 200 }, () => newNodeId('x'))).size).toBe(200);
  });

  it('starts from a copy of the kind’s initial config', () => {
    const definition = getNodeDefinition('csv-source');
    if (!definition) throw new Error('csv-source is registered');
    const node = createNode(definition, { x: 1, y: 2 });
    expect(node).toMatchObject({ type: 'pipelineNode', position: { x: 1, y: 2 }, data: { kind: 'csv-source', version: definition.version } });
    expect(node.data.config).toEqual(definition.initialConfig);
    expect(node.data.config).not.toBe(definition.initialConfig);
    expect(node.data.config.columns).not.toBe(definition.initialConfig.columns);
  });

  it('names nodes for assistive technology by label and kind', () => {
    expect(nodeAriaLabel({ kind: 'filter', version: 1, config: {} })).toBe('Filter node');
    expect(nodeAriaLabel({ kind: 'filter', version: 1, config: {}, label: 'Paid only' })).toBe('Paid only (Filter) node');
    expect(nodeAriaLabel({ kind: 'mystery', version: 1, config: {} })).toBe('mystery node');
  });
});
