import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { VisualPipeline } from '../pipeline/model';
import { renderSelect, tableReferences } from '../sql/ast';
import { compile, type ExecutionPlan } from './compile';
import { DiagnosticCodes, formatDiagnostic } from './diagnostics';

// ── Golden fixtures ─────────────────────────────────────────────────────────
const fixtureDir = path.join(import.meta.dirname, 'fixtures');
const Fixture = z.object({
  document: z.unknown(),
  expect: z.object({ codes: z.array(z.enum(Object.keys(DiagnosticCodes) as [string, ...string[]])), /** The canvas nodes of each planned stage, in order (fused chains share one). */
  stages: z.array(z.array(z.string())).nullable() }),
});
const load = (name: string) => Fixture.parse(JSON.parse(readFileSync(path.join(fixtureDir, `${name}.json`), 'utf8')));
const fixtureNames = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

describe('golden fixtures', () => {
  it('are all present', () => expect(fixtureNames.length).toBeGreaterThanOrEqual(16));

  it.each(fixtureNames)('%s', (name) => {
    const { document, expect: want } = load(name);
    const result = compile(document);
    expect(result.diagnostics.map((d) => d.code)).toEqual(want.codes);
    expect(result.plan?.stages.map((s) => s.nodeIds) ?? null).toEqual(want.stages);
  });
});

/** A fixture's document, typed, for tests that change it. */
const docOf = (name: string) => structuredClone(load(name).document) as VisualPipeline;

// ── Plan invariants ─────────────────────────────────────────────────────────

/** Checks what every plan must satisfy; returns the tables each stage creates. */
function checkPlan(plan: ExecutionPlan): string[] {
  const created: string[] = [];
  const earlier = new Map<string, Record<string, string>>();
  for (const stage of plan.stages) {
    expect(stage.nodeIds.at(-1)).toBe(stage.id);
    for (const dep of stage.dependsOn) expect(earlier.has(dep), `${stage.id} depends on ${dep}, which runs later`).toBe(true);
    const readable = new Set(stage.dependsOn.flatMap((dep) => Object.values(earlier.get(dep) ?? {})));
    for (const op of stage.ops) {
      if (op.op === 'materialize' || op.op === 'writeFile') {
        for (const t of tableReferences(op.query)) expect(readable.has(t), `${stage.id} reads ${t} without depending on its stage`).toBe(true);
      }
      if (op.op === 'materialize') created.push(op.table);
      if (op.op === 'failOnCsvRejects') created.push(op.rejectsTable, `${op.rejectsTable}_scan`);
    }
    for (const t of Object.values(stage.outputTables)) expect(created).toContain(t);
    earlier.set(stage.id, stage.outputTables);
  }
  expect(new Set(plan.stages.map((s) => s.id)).size).toBe(plan.stages.length);
  expect(new Set(created).size, `table names are unique: ${created.join(', ')}`).toBe(created.length);
  return created;
}

function planOf(doc: unknown, optimize = true): ExecutionPlan {
  const result = compile(doc, { optimize });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.plan) throw new Error('no plan');
  return result.plan;
}

describe('valid pipelines', () => {
  it('plans csv → filter → select → file as four stages in dependency order when not optimising', () => {
    const result = compile(load('valid-linear').document, { optimize: false });
    expect(result.diagnostics).toEqual([]);
    const plan = result.plan;
    if (!plan) throw new Error('no plan');
    expect(plan.stages.map((s) => [s.id, s.dependsOn, s.outputTables])).toEqual([
      ['orders', [], { output: 's0_output' }],
      ['big', ['orders'], { output: 's1_output' }],
      ['pick', ['big'], { output: 's2_output' }],
      ['out', ['pick'], {}],
    ]);
    expect(checkPlan(plan)).toEqual(['s0_output', 's0_output_rejects', 's0_output_rejects_scan', 's1_output', 's2_output']);
  });

  it('fuses the chain after the source into one statement, reading only the columns it needs', () => {
    const plan = planOf(load('valid-linear').document);
    expect(plan.stages.map((s) => [s.id, s.nodeIds, s.dependsOn, s.outputTables])).toEqual([
      ['orders', ['orders'], [], { output: 's0_output' }],
      ['out', ['big', 'pick', 'out'], ['orders'], {}],
    ]);
    expect(checkPlan(plan)).toEqual(['s0_output', 's0_output_rejects', 's0_output_rejects_scan']);
  });

  it('renders every stage to parameterised SQL over the previous stage\'s table', () => {
    const plan = planOf(load('valid-linear').document, false);
    const rendered = plan.stages.flatMap((s) =>
      s.ops.flatMap((op) => (op.op === 'materialize' || op.op === 'writeFile' ? [`${s.id}: ${JSON.stringify(renderSelect(op.query, { resolveFile: (f) => `/ws/${f.workspacePath}` }))}`] : [])),
    );
    expect(rendered).toMatchInlineSnapshot(`
      [
        "orders: {"sql":"SELECT * FROM (SELECT * FROM read_csv('/ws/in/orders.csv', auto_detect = false, header = true, delim = ',', quote = '\\"', escape = '\\"', columns = {'order_id': 'BIGINT', 'customer': 'VARCHAR', 'amount': 'DOUBLE', 'ordered_on': 'DATE'}, store_rejects = true, rejects_table = 's0_output_rejects', rejects_scan = 's0_output_rejects_scan') WHERE hash(\\"order_id\\", \\"customer\\", \\"amount\\", \\"ordered_on\\") IS NOT NULL)","params":[]}",
        "big: {"sql":"SELECT * FROM \\"s0_output\\" WHERE ((\\"amount\\" >= CAST($1 AS DOUBLE)) AND (\\"customer\\" IS NOT NULL))","params":["100"]}",
        "pick: {"sql":"SELECT \\"order_id\\", \\"amount\\" FROM \\"s1_output\\"","params":[]}",
        "out: {"sql":"SELECT * FROM \\"s2_output\\"","params":[]}",
      ]
    `);
  });

  it('propagates schemas and lineage for every node', () => {
    const result = compile(load('valid-linear').document);
    expect(result.schemas.big?.output?.map((c) => c.name)).toEqual(['order_id', 'customer', 'amount', 'ordered_on']);
    expect(result.schemas.pick).toEqual({
      output: [
        { name: 'order_id', type: 'integer' },
        { name: 'amount', type: 'float' },
      ],
    });
    expect(result.schemas.out).toEqual({});
    expect(result.lineage.pick?.output?.amount).toEqual({ from: [{ port: 'input', column: 'amount' }], how: 'copied' });
    expect(result.lineage.orders?.output?.amount).toEqual({ from: [], how: 'read' });
  });

  it('orders stages by dependencies, not by document order', () => {
    const shuffled = load('valid-linear-shuffled').document as VisualPipeline;
    expect(shuffled.nodes.map((n) => n.id)).toEqual(['out', 'pick', 'big', 'orders']);
    expect(planOf(shuffled)).toEqual(planOf(load('valid-linear').document));
  });

  it('gives each branch of a fan-out its own tables and the right dependencies', () => {
    const plan = planOf(load('valid-fan-out').document);
    expect(plan.stages.map((s) => [s.id, s.dependsOn])).toEqual([
      ['orders', []],
      ['out_big', ['orders']],
      ['out_all', ['orders']],
    ]);
    checkPlan(plan);
    const writes = plan.stages.flatMap((s) => s.ops.filter((op) => op.op === 'writeFile'));
    // Both branches read the source's table; each fused its transform in.
    expect(writes.map((w) => [w.file.workspacePath, w.format, tableReferences(w.query)])).toEqual([
      ['out/big.csv', 'csv', ['s0_output']],
      ['out/all.parquet', 'parquet', ['s0_output']],
    ]);
  });

  /** valid-linear with `big` replaced by `before` and `pick` by a cast of customer to integer that rejects rows which do not convert. */
  const rejectingCastDoc = (before: { kind: string; config: Record<string, unknown> }) => {
    const doc = docOf('valid-linear');
    doc.nodes = doc.nodes.map((n) => {
      if (n.id === 'big') return { ...n, ...before };
      if (n.id === 'pick') return { ...n, kind: 'cast-columns', config: { casts: [{ column: 'customer', to: 'integer' }], onError: 'reject' } };
      return n;
    });
    return doc;
  };

  it('merges a rejecting cast into its reader, its rejects first, and inlines the row-wise step before it into both of its queries', () => {
    const plan = planOf(rejectingCastDoc({ kind: 'clean-text', config: { steps: [{ column: 'customer', operation: 'trim' }] } }));
    expect(plan.stages.map((s) => [s.id, s.nodeIds, s.dependsOn])).toEqual([
      ['orders', ['orders'], []],
      ['out', ['big', 'pick', 'out'], ['orders']],
    ]);
    const [rejects, write] = plan.stages[1]?.ops ?? [];
    expect(rejects?.op === 'materialize' ? [rejects.table, rejects.rejects?.action, tableReferences(rejects.query)] : rejects).toEqual(['s2_output_rejects', 'deadLetter', ['s0_output']]);
    expect(write?.op === 'writeFile' ? tableReferences(write.query) : write).toEqual(['s0_output']);
    // No table of every row is made after the source's.
    expect(checkPlan(plan)).toEqual(['s0_output', 's0_output_rejects', 's0_output_rejects_scan', 's2_output_rejects']);
  });

  it('keeps a step that depends on other rows materialised when a rejecting cast reads it twice, so it is computed once', () => {
    const plan = planOf(rejectingCastDoc({ kind: 'deduplicate', config: { keys: ['order_id'], keep: 'first', orderBy: '' } }));
    expect(plan.stages.map((s) => s.nodeIds)).toEqual([['orders'], ['big'], ['pick', 'out']]);
    checkPlan(plan);
  });

  it('keeps a cast that fails on bad values apart from its reader, so the failure names it, though the step before it is inlined', () => {
    const doc = rejectingCastDoc({ kind: 'clean-text', config: { steps: [{ column: 'customer', operation: 'trim' }] } });
    doc.nodes = doc.nodes.map((n) => (n.id === 'pick' ? { ...n, config: { casts: [{ column: 'customer', to: 'integer' }], onError: 'fail' } } : n));
    expect(planOf(doc).stages.map((s) => s.nodeIds)).toEqual([['orders'], ['big', 'pick'], ['out']]);
  });

  it('reports a destination that no source reaches', () => {
    const doc = docOf('valid-linear');
    // Cut the source off: the filter's input is gone, so nothing reaches the sink.
    doc.edges = doc.edges.filter((e) => e.source.node !== 'orders');
    const result = compile(doc);
    expect(result.diagnostics.map((d) => [d.code, d.nodeId])).toEqual([
      ['OUTPUT_UNUSED', 'orders'],
      ['INPUT_NOT_CONNECTED', 'big'],
      ['UNREACHABLE_SINK', 'out'],
    ]);
    expect(result.diagnostics.at(-1)?.message).toMatch(/^No source reaches /);
  });

  it('plans despite warnings', () => {
    const result = compile(load('warning-only').document);
    expect(result.diagnostics).toEqual([
      { code: 'OUTPUT_UNUSED', severity: 'warning', nodeId: 'unused_source', port: 'output', message: 'The "Rows" output of CSV file goes nowhere' },
    ]);
    expect(result.plan).not.toBeNull();
  });

  it('does not modify the document', () => {
    const doc = load('valid-fan-out').document;
    const before = JSON.stringify(doc);
    compile(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('structural problems', () => {
  it('names every node of a cycle, in order, on each of them', () => {
    const result = compile(load('cycle').document);
    const message = 'Cycle: Big orders → Keep id and amount → Big orders. Data must flow one way.';
    expect(result.diagnostics).toEqual([
      { code: 'CYCLE', severity: 'error', nodeId: 'big', message },
      { code: 'CYCLE', severity: 'error', nodeId: 'pick', message },
    ]);
    expect(result.plan).toBeNull();
    // Nodes off the cycle are still propagated.
    expect(Object.keys(result.schemas)).toEqual(['orders', 'out']);
  });

  it('reports a node wired to itself as a cycle', () => {
    const doc = docOf('valid-linear');
    doc.edges.push({ id: 'loop', source: { node: 'pick', port: 'output' }, target: { node: 'pick', port: 'input' } });
    const cycles = compile(doc).diagnostics.filter((d) => d.code === 'CYCLE');
    expect(cycles.map((d) => [d.nodeId, d.message])).toEqual([['pick', 'Cycle: Keep id and amount → Keep id and amount. Data must flow one way.']]);
  });

  it('reports nodes behind a cycle only through the cycle itself', () => {
    const doc = docOf('cycle');
    // pick → out as well: out is blocked by the cycle but is not on it.
    doc.edges = doc.edges.filter((e) => e.id !== 'e1');
    doc.edges.push({ id: 'e4', source: { node: 'pick', port: 'output' }, target: { node: 'out', port: 'input' } });
    const result = compile(doc);
    expect(result.diagnostics.filter((d) => d.code === 'CYCLE').map((d) => d.nodeId)).toEqual(['big', 'pick']);
    expect(result.diagnostics.filter((d) => d.nodeId === 'out')).toEqual([]);
  });

  it('reports an unconnected required input on its port', () => {
    const [d] = compile(load('input-not-connected').document).diagnostics;
    expect(d).toEqual({ code: 'INPUT_NOT_CONNECTED', severity: 'error', nodeId: 'out2', port: 'input', message: 'Connect the "Rows" input of File' });
  });

  it('reports an unknown kind and skips checks that need it', () => {
    const result = compile(load('unknown-node-kind').document);
    expect(result.diagnostics).toEqual([{ code: 'UNKNOWN_NODE_KIND', severity: 'error', nodeId: 'pivot', message: 'Unknown node kind "pivot-table"' }]);
    expect(result.schemas.out).toBeUndefined();
  });

  it('reports an unsupported node version', () => {
    const doc = docOf('valid-linear');
    doc.nodes[1] = { ...doc.nodes[1]!, version: 2 };
    expect(compile(doc).diagnostics).toEqual([
      { code: 'UNSUPPORTED_NODE_VERSION', severity: 'error', nodeId: 'big', message: 'Filter version 2 is not supported (this Sluice has version 1)' },
    ]);
  });

  it('reports an edge to a node that does not exist, without a node id', () => {
    const [d] = compile(load('edge-to-missing-node').document).diagnostics;
    expect(d).toEqual({ code: 'EDGE_UNKNOWN_NODE', severity: 'error', edgeId: 'e2', message: 'Edge e2 points at node "ghost", which does not exist' });
  });

  it('reports an edge into a port the node does not have, listing the ports it has', () => {
    const result = compile(load('edge-to-missing-port').document);
    expect(result.diagnostics).toEqual([
      { code: 'INPUT_NOT_CONNECTED', severity: 'error', nodeId: 'out', port: 'input', message: 'Connect the "Rows" input of File' },
      { code: 'EDGE_UNKNOWN_PORT', severity: 'error', nodeId: 'out', edgeId: 'e1', port: 'rows', message: 'File has no input port "rows" (it has: input)' },
    ]);
  });

  it('reports an edge out of a port the node does not have', () => {
    const doc = docOf('valid-linear');
    doc.edges[0] = { ...doc.edges[0]!, source: { node: 'orders', port: 'rows' } };
    const result = compile(doc);
    expect(result.diagnostics.map((d) => [d.nodeId, d.code, d.port, d.severity])).toEqual([
      ['orders', 'EDGE_UNKNOWN_PORT', 'rows', 'error'],
      ['orders', 'OUTPUT_UNUSED', 'output', 'warning'],
    ]);
    expect(result.diagnostics[0]?.message).toBe('CSV file has no output port "rows" (it has: output)');
    // Downstream nodes are not propagated against a port that does not exist.
    expect(result.schemas.big).toBeUndefined();
  });

  it('says "none" for a node without input ports', () => {
    const doc = docOf('valid-linear');
    doc.edges.push({ id: 'back', source: { node: 'pick', port: 'output' }, target: { node: 'orders', port: 'input' } });
    const d = compile(doc).diagnostics.find((x) => x.code === 'EDGE_UNKNOWN_PORT');
    expect(d?.message).toBe('CSV file has no input port "input" (it has: none)');
  });

  it('reports two edges into one input', () => {
    const result = compile(load('two-edges-into-one-input').document);
    expect(result.diagnostics).toEqual([
      { code: 'INPUT_ALREADY_CONNECTED', severity: 'error', nodeId: 'out', port: 'input', message: 'Input "input" has 2 incoming edges; it takes one' },
    ]);
  });

  it('reports a node id used twice', () => {
    const doc = docOf('valid-linear');
    doc.nodes.push({ ...doc.nodes[3]!, position: { x: 0, y: 300 } });
    const result = compile(doc);
    expect(result.diagnostics).toEqual([{ code: 'DUPLICATE_NODE_ID', severity: 'error', nodeId: 'out', message: 'Node id "out" is used twice' }]);
    expect(result.plan).toBeNull();
  });

  it('reports a pipeline with no destination, before node diagnostics', () => {
    const result = compile(load('no-destination').document);
    expect(result.diagnostics.map((d) => [d.code, d.nodeId])).toEqual([
      ['NO_DESTINATION', undefined],
      ['OUTPUT_UNUSED', 'big'],
    ]);
  });

  it('reports an empty pipeline', () => {
    expect(compile(load('empty-pipeline').document)).toEqual({
      diagnostics: [{ code: 'EMPTY_PIPELINE', severity: 'error', message: 'Add a source, transforms and a destination to the canvas' }],
      schemas: {},
      lineage: {},
      plan: null,
      questions: [],
    });
  });

  it('sorts diagnostics: document-wide first, then by node in document order, errors before warnings', () => {
    const doc = docOf('valid-linear');
    doc.nodes = doc.nodes.filter((n) => n.id !== 'out');
    doc.edges = doc.edges.filter((e) => e.id !== 'e3');
    doc.nodes[0] = { ...doc.nodes[0]!, config: { ...doc.nodes[0]!.config, path: '/abs.csv' } };
    doc.edges.push({ id: 'e9', source: { node: 'ghost', port: 'output' }, target: { node: 'big', port: 'extra' } });
    expect(compile(doc).diagnostics.map((d) => [d.code, d.nodeId ?? null])).toEqual([
      ['EDGE_UNKNOWN_NODE', null],
      ['NO_DESTINATION', null],
      ['INVALID_CONFIG', 'orders'],
      ['OUTPUT_UNUSED', 'pick'],
    ]);
  });
});

describe('settings problems', () => {
  it('reports invalid config with the field path, and nothing downstream of it', () => {
    const result = compile(load('invalid-config').document);
    expect(result.diagnostics).toEqual([
      { code: 'INVALID_CONFIG', severity: 'error', nodeId: 'orders', path: ['delimiter'], message: 'Delimiter must be exactly one character' },
    ]);
    expect(result.schemas).toEqual({});
    expect(result.plan).toBeNull();
  });

  it('does report the downstream problem once the upstream config is fixed', () => {
    const doc = docOf('invalid-config');
    doc.nodes[0] = { ...doc.nodes[0]!, config: { ...doc.nodes[0]!.config, delimiter: ';' } };
    const result = compile(doc);
    expect(result.diagnostics.map((d) => [d.code, d.nodeId, d.path])).toEqual([
      ['UNKNOWN_COLUMN', 'big', ['rules', 0, 'column']],
    ]);
  });

  it('reports a filter on a missing column at the rule, with a suggestion', () => {
    const result = compile(load('filter-missing-column').document);
    expect(result.diagnostics).toEqual([
      {
        code: 'UNKNOWN_COLUMN',
        severity: 'error',
        nodeId: 'big',
        path: ['rules', 0, 'column'],
        message: 'Column "amout" does not exist in the input; did you mean "amount"? (available: order_id, customer, amount, ordered_on)',
      },
    ]);
    expect(formatDiagnostic(result.diagnostics[0]!, (id) => `[${id}]`)).toBe(
      '[big] › rules.0.column: Column "amout" does not exist in the input; did you mean "amount"? (available: order_id, customer, amount, ordered_on) [UNKNOWN_COLUMN]',
    );
  });

  it('propagates the columns a select-columns node really outputs to the next node', () => {
    const doc = docOf('valid-linear');
    // pick keeps order_id and amount; a filter after it cannot use customer.
    doc.nodes.splice(3, 0, { id: 'late', kind: 'filter', version: 1, position: { x: 0, y: 0 }, config: { rules: [{ column: 'customer', op: 'eq', value: 'x' }] } });
    doc.edges = doc.edges.filter((e) => e.id !== 'e3');
    doc.edges.push(
      { id: 'e3', source: { node: 'pick', port: 'output' }, target: { node: 'late', port: 'input' } },
      { id: 'e4', source: { node: 'late', port: 'output' }, target: { node: 'out', port: 'input' } },
    );
    const [d, ...rest] = compile(doc).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'UNKNOWN_COLUMN', nodeId: 'late', path: ['rules', 0, 'column'] });
    expect(d?.message).toContain('(available: order_id, amount)');
  });
});

describe('input that is not a document', () => {
  const circular: Record<string, unknown> = { formatVersion: 1, nodes: [], edges: [] };
  circular.self = circular;

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', 'pipeline'],
    ['an array', [1, 2]],
    ['an empty object', {}],
    ['a function', () => 1],
    ['nodes that are not an array', { formatVersion: 1, nodes: {}, edges: [] }],
    ['a node without fields', { formatVersion: 1, nodes: [{ id: 'a' }], edges: [] }],
    ['an edge without ends', { formatVersion: 1, nodes: [], edges: [{ id: 'e' }] }],
  ])('answers DOCUMENT_INVALID for %s, without throwing', (_what, input) => {
    const result = compile(input);
    expect(result.plan).toBeNull();
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.code === 'DOCUMENT_INVALID' && d.severity === 'error')).toBe(true);
  });

  it('explains a wrong root with the catalogue text, and nested problems by path', () => {
    expect(compile(null).diagnostics).toEqual([
      { code: 'DOCUMENT_INVALID', severity: 'error', path: [], message: 'The pipeline document does not have the expected shape: Invalid input: expected object, received null' },
    ]);
    const nested = compile({ formatVersion: 1, nodes: [{ id: 'a b', kind: 'filter', version: 1, position: { x: 0, y: 0 }, config: {} }], edges: [] });
    expect(nested.diagnostics).toEqual([{ code: 'DOCUMENT_INVALID', severity: 'error', path: ['nodes', 0, 'id'], message: 'Node ids are 1–64 letters, digits, - or _' }]);
  });

  it('ignores extra keys on a valid document', () => {
    expect(compile({ ...(load('valid-linear').document as object), extra: true, circular }).plan).not.toBeNull();
  });
});

// Regression: compile.ts kept `schemas` and `lineage` in plain objects indexed by node id, and node ids may
// be any of [A-Za-z0-9_-], including Object.prototype keys such as "constructor" and "__proto__".
describe('node ids that are Object.prototype keys', () => {
  const withSourceId = (id: string, config?: Record<string, unknown>) => {
    const doc = docOf('valid-linear');
    doc.nodes[0] = { ...doc.nodes[0]!, id, ...(config ? { config } : {}) };
    doc.edges[0] = { ...doc.edges[0]!, source: { node: id, port: 'output' } };
    return doc;
  };

  it('compile does not throw when an edge leaves a bad port of a node called "constructor"', () => {
    // known('constructor', 'name') reads Object.name ("Object") and hands a string to filter.propagate.
    const doc = withSourceId('constructor', {});
    doc.edges[0] = { ...doc.edges[0]!, source: { node: 'constructor', port: 'name' } };
    let result: ReturnType<typeof compile> | undefined;
    expect(() => (result = compile(doc))).not.toThrow();
    expect(result?.diagnostics.map((d) => d.code)).toEqual(['INVALID_CONFIG', 'INVALID_CONFIG', 'EDGE_UNKNOWN_PORT', 'OUTPUT_UNUSED']);
  });

  it('keeps the schema of a node called "__proto__" as an own entry', () => {
    // `schemas['__proto__'] = …` replaces the prototype of `schemas` instead of adding an entry.
    const result = compile(withSourceId('__proto__'));
    expect(result.plan?.stages.map((s) => s.id)).toEqual(['__proto__', 'out']);
    expect(Object.keys(result.schemas)).toContain('__proto__');
    expect(Object.keys(result.lineage)).toContain('__proto__');
  });
});
