// Maps a small pipeline to ELK and back, laying it out with the real ELK (its bundled build runs in Node).
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { positionsFromElk, toElkGraph, topLeft, type LayoutEdge, type LayoutNode } from './layout';

const box = (id: string, inputs: string[], outputs: string[]): LayoutNode => ({ id, width: 208, height: 60, inputs, outputs });
// A join fed by two sources, then a sink; given in scrambled order.
const nodes = [box('sink', ['input'], []), box('join', ['left', 'right'], ['output']), box('b', [], ['output']), box('a', [], ['output'])];
const edges: LayoutEdge[] = [
  { id: 'e1', source: 'a', sourcePort: 'output', target: 'join', targetPort: 'left' },
  { id: 'e2', source: 'b', sourcePort: 'output', target: 'join', targetPort: 'right' },
  { id: 'e3', source: 'join', sourcePort: 'output', target: 'sink', targetPort: 'input' },
  { id: 'dangling', source: 'join', sourcePort: 'output', target: 'gone', targetPort: 'input' },
];

describe('auto-layout mapping', () => {
  it('builds a left-to-right layered graph with ports in their drawn order', () => {
    const graph = toElkGraph(nodes, edges);
    expect(graph.layoutOptions).toMatchObject({ 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' });
    expect(graph.edges?.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    const join = graph.children?.find((c) => c.id === 'join');
    expect(join?.ports?.map((p) => p.layoutOptions?.['elk.port.side'])).toEqual(['WEST', 'WEST', 'EAST']);
    expect(graph.edges?.[0]?.targets[0]).toBe(join?.ports?.[0]?.id);
  });

  it('lays nodes out in layers from sources to sink, anchored at the old top-left', async () => {
    const result = await new ELK().layout(toElkGraph(nodes, edges));
    const positions = positionsFromElk(result, { x: 100, y: 50 });
    const x = (id: string) => positions.get(id)!.x;
    const y = (id: string) => positions.get(id)!.y;
    expect(x('a')).toBe(x('b'));
    expect(x('a')).toBeLessThan(x('join'));
    expect(x('join')).toBeLessThan(x('sink'));
    // The source feeding the upper port sits above the other.
    expect(y('a')).toBeLessThan(y('b'));
    expect(topLeft([...positions.values()])).toEqual({ x: 100, y: 50 });
  });

  it('anchors an empty canvas at the origin', () => {
    expect(topLeft([])).toEqual({ x: 0, y: 0 });
  });
});
