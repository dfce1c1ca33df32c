import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PipelineEdge, PipelineNode, VisualPipeline } from '../pipeline/model';
import type { Column, ColumnType } from '../pipeline/types';
import { compile, type CompileResult } from './compile';
import { DiagnosticCodes, hasErrors } from './diagnostics';

const numRuns = 200;

// ── Valid linear pipelines ──────────────────────────────────────────────────
const sampleValue: Record<ColumnType, string> = {
  string: 'x',
  integer: '42',
  float: '-1.25',
  boolean: 'false',
  date: '2024-02-29',
  timestamp: '2024-02-29 12:30:00',
};
const allOps = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'contains', 'starts_with', 'is_null', 'is_not_null'] as const;
const nonTextOps = allOps.filter((op) => op !== 'contains' && op !== 'starts_with');

const transformSeed = fc.record({
  kind: fc.constantFrom('filter', 'select-columns'),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  ops: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  or: fc.boolean(),
});

interface LinearCase {
  doc: VisualPipeline;
  /** Node ids in data-flow order. */
  chain: string[];
  kinds: string[];
  /** Columns reaching the sink. */
  finalColumns: Column[];
}

const linearPipelineArb: fc.Arbitrary<LinearCase> = fc
  .record({
    columns: fc.uniqueArray(
      fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_ ]{0,10}$/), type: fc.constantFrom<ColumnType>('string', 'integer', 'float', 'boolean', 'date', 'timestamp') }),
      { minLength: 1, maxLength: 5, selector: (c) => c.name.toLowerCase() },
    ),
    transforms: fc.array(transformSeed, { maxLength: 5 }),
    ids: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 7, maxLength: 7 }),
    shuffle: fc.array(fc.double({ noNaN: true }), { minLength: 7, maxLength: 7 }),
    parquet: fc.boolean(),
  })
  .map(({ columns, transforms, ids, shuffle, parquet }) => {
    const chainIds = ids.slice(0, transforms.length + 2).map((id) => `n_${id}`);
    const nodes: PipelineNode[] = [];
    const kinds: string[] = [];
    const add = (kind: string, config: Record<string, unknown>) => {
      nodes.push({ id: chainIds[nodes.length]!, kind, version: 1, position: { x: nodes.length * 200, y: 0 }, config });
      kinds.push(kind);
    };
    add('csv-source', { path: 'in/data.csv', columns });
    let current: Column[] = columns;
    for (const t of transforms) {
      const picked = t.picks.map((p) => current[p % current.length]!);
      if (t.kind === 'filter') {
        const rules = picked.map((c, i) => {
          const ops = c.type === 'string' ? allOps : nonTextOps;
          const op = ops[(t.ops[i] ?? 0) % ops.length]!;
          return { column: c.name, op, value: sampleValue[c.type] };
        });
        add('filter', { combinator: t.or ? 'or' : 'and', rules });
      } else {
        const unique = [...new Map(picked.map((c) => [c.name, c])).values()];
        add('select-columns', { columns: unique.map((c) => c.name) });
        current = unique;
      }
    }
    add('file-sink', parquet ? { format: 'parquet', path: 'out/r.parquet' } : { path: 'out/r.csv' });
    const edges: PipelineEdge[] = chainIds.slice(1).map((id, i) => ({ id: `e${i}`, source: { node: chainIds[i]!, port: 'output' }, target: { node: id, port: 'input' } }));
    // Store nodes in a random document order.
    const order = nodes.map((n, i) => ({ n, k: shuffle[i]! })).sort((a, b) => a.k - b.k).map(({ n }) => n);
    return { doc: { formatVersion: 1, nodes: order, edges }, chain: chainIds, kinds, finalColumns: current };
  });

// ── Arbitrary graphs ────────────────────────────────────────────────────────
// Mostly plausible, so that a fair share compile and schema propagation runs; sometimes wild.
// Small pools make names collide: edges hit real nodes, rules hit real columns, ids repeat.
// Object.prototype keys ("constructor", "__proto__") are left out of the id pool: they are a
// known bug with their own tests in compile.test.ts.
const mostly = <T, U = T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>, usualWeight = 20): fc.Arbitrary<T | U> =>
  // noBias: fast-check's bias towards extreme indices would otherwise pick the odd branch far more often.
  fc.noBias(fc.oneof({ weight: usualWeight, arbitrary: usual }, { weight: 1, arbitrary: odd }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 20 });
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// Each pooled column usually has the same type everywhere, and rules usually use a value of that type.
const usualColumns = { id: ['integer', '7'], name: ['string', 'abc'], amount: ['float', '1.5'], when: ['date', '2024-01-01'] } as const;
type UsualColumn = keyof typeof usualColumns;
const usualName = fc.constantFrom(...(Object.keys(usualColumns) as UsualColumn[]));
const oddName = fc.constantFrom('Id', 'nme', '');
const columnArb = mostly(
  usualName.map((name) => ({ name, type: usualColumns[name][0] })),
  fc.record({ name: mostly(usualName, oddName), type: fc.constantFrom('string', 'integer', 'float', 'boolean', 'timestamp', 'money') }),
);
const opArb = mostly(fc.constantFrom('eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'contains', 'starts_with', 'is_null', 'is_not_null'), fc.constant('like'));
const oddValue = fc.constantFrom('1', '-2', 'abc', '', 'true', '2024-01-01 10:00', "x'; DROP TABLE t;--");
const ruleArb = fc
  .record({ column: mostly(usualName, oddName), op: opArb, odd: fc.option(oddValue, { nil: undefined, freq: 4 }) })
  .map(({ column, op, odd }) => ({ column, op, value: odd ?? (column in usualColumns ? usualColumns[column as UsualColumn][1] : '1') }));

const csvConfig = fc
  .record({
    path: maybe(mostly(fc.constantFrom('in/a.csv', 'in/b c.csv'), fc.constantFrom('/abs.csv', '../up.csv', '', 'in/$x.csv'))),
    delimiter: maybe(mostly(fc.constantFrom(',', ';', '|'), fc.constantFrom(';;', ''))),
    header: maybe(mostly(fc.boolean(), fc.constant('yes'))),
    columns: mostly(
      fc.uniqueArray(columnArb, { minLength: 1, maxLength: 4, selector: (c) => c.name }),
      fc.option(fc.array(columnArb, { maxLength: 4 }), { nil: undefined }),
    ),
  })
  .map(compact);
const filterConfig = fc
  .record({
    combinator: maybe(mostly(fc.constantFrom('and', 'or'), fc.constant('xor'))),
    rules: mostly(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), fc.option(fc.constant([]), { nil: undefined })),
  })
  .map(compact);
const selectConfig = fc.record({ columns: mostly(fc.array(mostly(usualName, oddName), { minLength: 1, maxLength: 4 }), fc.constant([])) });
const sinkConfig = mostly<Record<string, unknown>>(
  fc.constantFrom({ path: 'out/r.csv' }, { format: 'parquet', path: 'out/r.parquet' }),
  fc.record({ format: maybe(fc.constantFrom('csv', 'parquet', 'xlsx')), path: maybe(fc.constantFrom('out/r.csv', 'out/r.parquet', '/r.csv', '')) }).map(compact),
);
const junkConfig = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

const kindAndConfig = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('csv-source'), config: mostly(csvConfig, junkConfig) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('filter'), config: mostly(filterConfig, junkConfig) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('select-columns'), config: mostly(selectConfig, junkConfig) }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('file-sink'), config: mostly(sinkConfig, junkConfig) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pivot'), config: junkConfig }) },
);

// Rarely, things the document schema refuses.
const rarely = <T, U = T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) => mostly(usual, odd, 100);

const nodeArb = (id: string) =>
  fc
    .record({
      id: rarely(fc.constant(id), fc.constantFrom('bad id', '', 'a')),
      kc: kindAndConfig,
      kind: rarely(fc.constant(undefined), fc.constant('')),
      version: mostly(fc.constant(1), rarely(fc.constant(2), fc.constant(0)), 50),
      label: fc.option(fc.constantFrom('Orders', 'Big', ''), { nil: undefined }),
    })
    .map(({ id, kc, kind, version, label }) => ({ id, kind: kind ?? kc.kind, version, ...(label === undefined ? {} : { label }), position: { x: 0, y: 0 }, config: kc.config }));

const outPort = mostly(fc.constant('output'), fc.constantFrom('input', 'rows'));
const inPort = mostly(fc.constant('input'), fc.constantFrom('output', 'rows'));

const graphArb = fc
  .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(nodeArb)))
  .chain((nodes) => {
    const ids = nodes.map((n) => n.id);
    // Each node usually takes its input from a node before it in flow order (sources, then
    // transforms, then sinks; document order stays random) that has an output; sometimes from any
    // node (cycles, self-loops) or from one that does not exist.
    const rank = (kind: string) => (kind === 'csv-source' ? 0 : kind === 'file-sink' ? 2 : 1);
    const flow = [...nodes].sort((x, y) => rank(x.kind) - rank(y.kind));
    const incoming = flow.map((n, i) => {
      const earlier = flow.slice(0, i).filter((m) => m.kind !== 'file-sink').map((m) => m.id);
      const source = fc.noBias(
        fc.oneof(
          { weight: earlier.length > 0 ? 30 : 0, arbitrary: fc.constantFrom(...(earlier.length > 0 ? earlier : ['x'])) },
          { weight: 2, arbitrary: fc.constantFrom(...ids) },
          { weight: 1, arbitrary: fc.constant('ghost') },
        ),
      );
      const edge = fc.record({ source: fc.record({ node: source, port: outPort }), target: fc.record({ node: fc.constant(n.id), port: inPort }) });
      type Edge = typeof edge extends fc.Arbitrary<infer E> ? E : never;
      // Sources, and nodes with nothing before them, usually have no input; other nodes usually have one.
      return n.kind === 'csv-source' || earlier.length === 0 ? mostly<Edge | null>(fc.constant(null), edge) : mostly<Edge | null>(edge, fc.constant(null));
    });
    const anyNode = fc.constantFrom(...ids, 'ghost');
    const stray = fc.array(fc.record({ source: fc.record({ node: anyNode, port: outPort }), target: fc.record({ node: anyNode, port: inPort }) }), { minLength: 1, maxLength: 2 });
    return fc.record({
      nodes: fc.constant(nodes),
      edges: fc.tuple(fc.tuple(...incoming), mostly(fc.constant([]), stray, 10)).map(([a, b]) => [...a.filter((e) => e !== null), ...b]),
      formatVersion: rarely(fc.constant(1), fc.constant(2)),
    });
  })
  .map(({ nodes, edges, formatVersion }) => ({ formatVersion, nodes, edges: edges.map((e, i) => ({ id: `e${i}`, ...e })) }));

// ── Valid pipelines, damaged ────────────────────────────────────────────────
const damageArb = fc.oneof(
  fc.record({ t: fc.constant('dropNode' as const), i: fc.nat() }),
  fc.record({ t: fc.constant('dropEdge' as const), i: fc.nat() }),
  fc.record({ t: fc.constant('rewire' as const), i: fc.nat(), j: fc.nat(), port: inPort }),
  fc.record({ t: fc.constant('config' as const), i: fc.nat(), key: fc.constantFrom('path', 'columns', 'rules', 'delimiter', 'format'), value: fc.jsonValue({ maxDepth: 2 }) }),
);

/** A valid linear pipeline with up to three random breakages (often none). */
const damagedPipelineArb = fc
  .tuple(linearPipelineArb, fc.array(damageArb, { maxLength: 3 }))
  .map(([{ doc }, damages]) => {
    const broken = structuredClone(doc);
    for (const d of damages) {
      const n = broken.nodes.length;
      if (d.t === 'dropNode' && n > 0) broken.nodes.splice(d.i % n, 1);
      if (d.t === 'dropEdge' && broken.edges.length > 0) broken.edges.splice(d.i % broken.edges.length, 1);
      if (d.t === 'rewire' && n > 0 && broken.edges.length > 0) broken.edges[d.i % broken.edges.length]!.target = { node: broken.nodes[d.j % n]!.id, port: d.port };
      if (d.t === 'config' && n > 0) broken.nodes[d.i % n]!.config[d.key] = d.value;
    }
    return broken;
  });

function checkResult(result: CompileResult, doc: unknown) {
  const nodeIds = new Set(
    typeof doc === 'object' && doc !== null && Array.isArray((doc as { nodes?: unknown }).nodes) ? (doc as { nodes: { id?: unknown }[] }).nodes.map((n) => n.id) : [],
  );
  expect(result.plan !== null).toBe(!hasErrors(result.diagnostics));
  for (const d of result.diagnostics) {
    expect(Object.keys(DiagnosticCodes)).toContain(d.code);
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
    if (d.nodeId !== undefined) expect(nodeIds.has(d.nodeId)).toBe(true);
  }
  if (result.plan) {
    const seen = new Set<string>();
    const planned: string[] = [];
    const tables = new Set<string>();
    for (const stage of result.plan.stages) {
      for (const dep of stage.dependsOn) expect(seen.has(dep)).toBe(true);
      seen.add(stage.id);
      expect(stage.nodeIds.at(-1)).toBe(stage.id);
      planned.push(...stage.nodeIds);
      for (const op of stage.ops) {
        if (op.op === 'materialize') {
          expect(tables.has(op.table)).toBe(false);
          tables.add(op.table);
        }
      }
    }
    // Every node runs in exactly one stage.
    expect(new Set(planned)).toEqual(nodeIds);
    expect(planned).toHaveLength(nodeIds.size);
  }
}

describe('compile on arbitrary graphs', () => {
  it('never throws, and returns a plan iff there are no errors', () => {
    let planned = 0;
    const codes = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(graphArb, damagedPipelineArb), (doc) => {
        const result = compile(doc);
        checkResult(result, doc);
        if (result.plan) planned++;
        for (const d of result.diagnostics) codes.add(d.code);
      }),
      { numRuns },
    );
    // Guard against generators so wild that the interesting branches are never reached.
    expect(planned).toBeGreaterThan(numRuns / 20);
    for (const code of ['CYCLE', 'INVALID_CONFIG', 'UNKNOWN_COLUMN', 'EDGE_UNKNOWN_PORT', 'INPUT_NOT_CONNECTED']) expect(codes).toContain(code);
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        checkResult(compile(value), value);
      }),
      { numRuns },
    );
  });
});

describe('compile on valid linear pipelines', () => {
  it('fuses everything after the source into the sink', () => {
    fc.assert(
      fc.property(linearPipelineArb, ({ doc, chain }) => {
        const stages = compile(doc).plan?.stages ?? [];
        expect(stages.map((s) => s.nodeIds)).toEqual([chain.slice(0, 1), chain.slice(1)]);
        expect(stages.map((s) => s.dependsOn)).toEqual([[], chain.slice(0, 1)]);
      }),
      { numRuns },
    );
  });

  it('plans one stage per node when not optimising, in data-flow order, each depending on the one before', () => {
    fc.assert(
      fc.property(linearPipelineArb, ({ doc, chain, kinds, finalColumns }) => {
        const result = compile(doc, { optimize: false });
        expect(result.diagnostics).toEqual([]);
        const stages = result.plan?.stages ?? [];
        expect(stages.map((s) => s.id)).toEqual(chain);
        expect(stages.map((s) => s.kind)).toEqual(kinds);
        expect(stages.map((s) => s.dependsOn)).toEqual(chain.map((_, i) => (i === 0 ? [] : [chain[i - 1]])));
        const tables = stages.flatMap((s) => Object.values(s.outputTables));
        expect(new Set(tables).size).toBe(tables.length);
        expect(tables).toHaveLength(chain.length - 1);
        // The sink receives exactly the columns the transforms leave.
        expect(result.schemas[chain.at(-2)!]?.output).toEqual(finalColumns);
      }),
      { numRuns },
    );
  });
});
