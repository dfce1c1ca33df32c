import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './content-hash';
import { emptyPipeline, FORMAT_VERSION, NodeIdSchema, VisualPipelineSchema, type VisualPipeline } from './model';

const doc = (): VisualPipeline => ({
  formatVersion: 1,
  nodes: [
    { id: 'src', kind: 'csv-source', version: 1, label: 'Orders', position: { x: 0, y: 0 }, config: { path: 'in/orders.csv', columns: [{ name: 'id', type: 'integer' }] } },
    { id: 'sink_1', kind: 'file-sink', version: 1, position: { x: 200, y: -40.5 }, config: { format: 'csv', path: 'out/o.csv' } },
  ],
  edges: [{ id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'sink_1', port: 'input' } }],
});

const pathsOf = (input: unknown) => {
  const result = VisualPipelineSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path);
};

describe('VisualPipelineSchema', () => {
  it('accepts a valid document unchanged', () => {
    expect(VisualPipelineSchema.parse(doc())).toEqual(doc());
  });

  it('accepts an empty pipeline, and nodes with incomplete configs (drafts are saveable)', () => {
    expect(VisualPipelineSchema.safeParse(emptyPipeline()).success).toBe(true);
    const draft = doc();
    draft.nodes[0] = { ...draft.nodes[0]!, config: {} };
    expect(VisualPipelineSchema.safeParse(draft).success).toBe(true);
  });

  it('rejects another format version', () => {
    expect(FORMAT_VERSION).toBe(1);
    expect(pathsOf({ ...doc(), formatVersion: 2 })).toEqual([['formatVersion']]);
    expect(pathsOf({ ...doc(), formatVersion: '1' })).toEqual([['formatVersion']]);
    const { formatVersion: _, ...withoutVersion } = doc();
    expect(pathsOf(withoutVersion)).toEqual([['formatVersion']]);
  });

  it.each(['', 'has space', 'a/b', 'a.b', 'ünïcode', 'x'.repeat(65), 'drop";--'])('rejects node id %j', (id) => {
    const bad = doc();
    bad.nodes[0] = { ...bad.nodes[0]!, id };
    expect(pathsOf(bad)).toEqual([['nodes', 0, 'id']]);
    expect(NodeIdSchema.safeParse(id).error?.issues[0]?.message).toBe('Node ids are 1–64 letters, digits, - or _');
  });

  it.each(['a', 'A-z_09', 'x'.repeat(64)])('accepts node id %j', (id) => {
    expect(NodeIdSchema.safeParse(id).success).toBe(true);
  });

  it('rejects a bad node id in an edge end', () => {
    const bad = doc();
    bad.edges[0] = { ...bad.edges[0]!, target: { node: 'no such/node', port: 'input' } };
    expect(pathsOf(bad)).toEqual([['edges', 0, 'target', 'node']]);
  });

  it('rejects malformed nodes with the offending field path', () => {
    const base = doc().nodes[1]!;
    expect(pathsOf({ ...doc(), nodes: [{ ...base, version: 0 }] })).toEqual([['nodes', 0, 'version']]);
    expect(pathsOf({ ...doc(), nodes: [{ ...base, version: 1.5 }] })).toEqual([['nodes', 0, 'version']]);
    expect(pathsOf({ ...doc(), nodes: [{ ...base, kind: '' }] })).toEqual([['nodes', 0, 'kind']]);
    expect(pathsOf({ ...doc(), nodes: [{ ...base, position: { x: Number.POSITIVE_INFINITY, y: 0 } }] })).toEqual([['nodes', 0, 'position', 'x']]);
    expect(pathsOf({ ...doc(), nodes: [{ ...base, config: 'csv' }] })).toEqual([['nodes', 0, 'config']]);
    expect(pathsOf({ ...doc(), nodes: [{ ...base, label: 'x'.repeat(121) }] })).toEqual([['nodes', 0, 'label']]);
  });

  it('rejects things that are not documents', () => {
    for (const value of [null, undefined, 42, 'pipeline', [], {}]) expect(VisualPipelineSchema.safeParse(value).success).toBe(false);
  });
});

describe('contentHash', () => {
  it('is a sha256 hex digest and stable for the same document', () => {
    expect(contentHash(doc())).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(doc())).toBe(contentHash(doc()));
  });

  it('ignores object key order at every depth', () => {
    const a = doc();
    const reordered = {
      edges: a.edges.map((e) => ({ target: { port: e.target.port, node: e.target.node }, source: { port: e.source.port, node: e.source.node }, id: e.id })),
      nodes: a.nodes.map((n) => ({ config: Object.fromEntries(Object.entries(n.config).reverse()), position: { y: n.position.y, x: n.position.x }, version: n.version, kind: n.kind, ...(n.label ? { label: n.label } : {}), id: n.id })),
      formatVersion: a.formatVersion,
    } as VisualPipeline;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(a));
    expect(contentHash(reordered)).toBe(contentHash(a));
  });

  it('treats an undefined property as absent', () => {
    const a = doc();
    const b = doc();
    b.nodes[1] = { ...b.nodes[1]!, label: undefined };
    expect(contentHash(b)).toBe(contentHash(a));
  });

  it('changes when a config value changes, however deep', () => {
    const base = contentHash(doc());
    const changedPath = doc();
    changedPath.nodes[1]!.config.path = 'out/p.csv';
    expect(contentHash(changedPath)).not.toBe(base);

    const changedType = doc();
    changedType.nodes[0]!.config.columns = [{ name: 'id', type: 'string' }];
    expect(contentHash(changedType)).not.toBe(base);
  });

  it('changes when array order changes (node and column order are meaningful)', () => {
    const a = doc();
    const swapped = { ...a, nodes: [...a.nodes].reverse() };
    expect(contentHash(swapped)).not.toBe(contentHash(a));
  });

  it('distinguishes values that differ only in type', () => {
    const a = doc();
    const b = doc();
    b.nodes[1]!.config.format = 1;
    a.nodes[1]!.config.format = '1';
    expect(contentHash(a)).not.toBe(contentHash(b));
  });
});

describe('canonicalJson', () => {
  it('sorts keys and drops undefined, leaving arrays in order', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: null, c: 'x' }], u: undefined })).toBe('{"a":[3,{"c":"x","d":null}],"b":1}');
  });

  it('escapes keys and strings like JSON', () => {
    expect(canonicalJson({ 'a"b': 'c\n' })).toBe('{"a\\"b":"c\\n"}');
  });
});
