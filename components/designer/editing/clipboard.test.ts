import { describe, expect, it } from 'vitest';
import type { PipelineEdge, PipelineNode } from '@/server/pipeline/model';
import { CLIPBOARD_FORMAT, copyPayload, instantiatePaste, parseClipboard, serializeClipboard } from './clipboard';

const node = (id: string, x: number, selected = false): PipelineNode & { selected: boolean } => ({
  id,
  kind: 'filter',
  version: 1,
  position: { x, y: 10 },
  config: { rules: [{ column: 'a' }] },
  selected,
});
const edge = (id: string, from: string, to: string): PipelineEdge => ({ id, source: { node: from, port: 'output' }, target: { node: to, port: 'input' } });

describe('node clipboard', () => {
  it('copies the selected nodes with only the edges between them', () => {
    const payload = copyPayload([node('a', 0, true), node('b', 100, true), node('c', 200)], [edge('ab', 'a', 'b'), edge('bc', 'b', 'c')]);
    expect(payload?.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(payload?.nodes[0]).not.toHaveProperty('selected');
    expect(payload?.edges.map((e) => e.id)).toEqual(['ab']);
  });

  it('copies nothing when nothing is selected', () => {
    expect(copyPayload([node('a', 0)], [])).toBeNull();
  });

  it('round-trips through text and ignores text that is not a selection', () => {
    const payload = copyPayload([node('a', 0, true)], [])!;
    expect(parseClipboard(serializeClipboard(payload))).toEqual(payload);
    expect(parseClipboard('hello')).toBeNull();
    expect(parseClipboard('{"format":"other","nodes":[],"edges":[]}')).toBeNull();
    expect(parseClipboard(JSON.stringify({ format: CLIPBOARD_FORMAT, nodes: [{ id: 'bad id!' }], edges: [] }))).toBeNull();
  });

  it('pastes with fresh ids, shifted positions and re-pointed edges, leaving the payload untouched', () => {
    const payload = copyPayload([node('a', 0, true), node('b', 100, true)], [edge('ab', 'a', 'b')])!;
    let n = 0;
    const pasted = instantiatePaste(payload, { x: 40, y: 40 }, (kind) => `${kind}-new${n++}`, () => `e-new${n++}`);
    expect(pasted.nodes.map((p) => [p.id, p.position])).toEqual([
      ['filter-new0', { x: 40, y: 50 }],
      ['filter-new1', { x: 140, y: 50 }],
    ]);
    expect(pasted.edges).toEqual([{ id: 'e-new2', source: { node: 'filter-new0', port: 'output' }, target: { node: 'filter-new1', port: 'input' } }]);
    // Configs are copies: editing a pasted node cannot change the payload (or the original).
    (pasted.nodes[0]!.config.rules as { column: string }[])[0]!.column = 'z';
    expect(payload.nodes[0]!.config).toEqual({ rules: [{ column: 'a' }] });
  });
});
