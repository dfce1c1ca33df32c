// Compiles a VisualPipeline document into an execution plan. Pure: no I/O, and
// user mistakes come back as diagnostics, never as exceptions.
import type { ZodError } from 'zod';
import type { ColumnLineage, ExpressionAnswer, ExpressionSpec, NodeDefinition } from '../pipeline/define-node';
import { VisualPipelineSchema, type VisualPipeline } from '../pipeline/model';
import { getNodeDefinition } from '../pipeline/registry';
import type { Column, ColumnType } from '../pipeline/types';
import { selectColumns, table, type Relation } from '../sql/ast';
import { flattenProjections } from '../sql/flatten';
import type { StageOp } from '../sql/ops';
import { DiagnosticCodes, hasErrors, type Diagnostic } from './diagnostics';
import { deferFileReads } from './defer';
import { fuseStages } from './fuse';
import { buildGraph, findCycle, topologicalOrder, type PipelineGraph } from './graph';
import { computeLiveness, portKey, type NodeFacts } from './liveness';

export interface Stage {
  /** The id of the last node it runs. */
  id: string;
  /** The canvas nodes it runs, in data-flow order (several once fused). */
  nodeIds: string[];
  kind: string;
  dependsOn: string[];
  ops: StageOp[];
  /** Table holding each output port's rows once the stage has run. */
  outputTables: Record<string, string>;
}

export interface ExecutionPlan {
  stages: Stage[];
}

/** An expression the compiler needs DuckDB to check and type before it can go on. */
export interface ExpressionQuestion extends ExpressionSpec {
  nodeId: string;
  /** The columns the expression sees. */
  columns: Column[];
  /** For queries: the columns of each connected port in `ports`, by port name (= relation name). */
  relations?: Record<string, Column[]>;
}

/** Answers by node id, then expression key. */
export type ExpressionAnswers = ReadonlyMap<string, Readonly<Record<string, ExpressionAnswer>>>;

export interface CompileOptions {
  expressionAnswers?: ExpressionAnswers;
  /**
   * Fuse stages and prune unread columns (default true). Off, every node is
   * its own stage materialising all its columns: the reference the optimised
   * plan is tested against.
   */
  optimize?: boolean;
}

export interface CompileResult {
  diagnostics: Diagnostic[];
  /** Propagated columns of every output port whose schema is known. */
  schemas: Record<string, Record<string, Column[]>>;
  lineage: Record<string, Record<string, Record<string, ColumnLineage>>>;
  /** Present only when there are no error diagnostics and no open questions. */
  plan: ExecutionPlan | null;
  /** Expressions still to be checked by DuckDB; compile again with their answers. */
  questions: ExpressionQuestion[];
}

interface NodeState {
  def: NodeDefinition;
  config: unknown;
}

export function compile(input: unknown, options: CompileOptions = {}): CompileResult {
  const parsed = VisualPipelineSchema.safeParse(input);
  if (!parsed.success) {
    return { diagnostics: zodDiagnostics(parsed.error, 'DOCUMENT_INVALID'), schemas: {}, lineage: {}, plan: null, questions: [] };
  }
  return compileDocument(parsed.data, options);
}

export function compileDocument(doc: VisualPipeline, options: CompileOptions = {}): CompileResult {
  const questions: ExpressionQuestion[] = [];
  const diagnostics: Diagnostic[] = [];
  // Maps, not objects: node ids such as "constructor" or "__proto__" are valid.
  const schemas = new Map<string, Record<string, Column[]>>();
  const lineage = new Map<string, Record<string, Record<string, ColumnLineage>>>();
  const facts = new Map<string, NodeFacts>();
  if (doc.nodes.length === 0) {
    diagnostics.push({ code: 'EMPTY_PIPELINE', severity: 'error', message: 'Add a source, transforms and a destination to the canvas' });
    return { diagnostics, schemas: {}, lineage: {}, plan: null, questions };
  }

  const graph = buildGraph(doc);
  checkStructure(doc, graph, diagnostics);

  // Resolve kinds and validate each node's settings.
  const states = new Map<string, NodeState>();
  for (const { node } of graph.nodes.values()) {
    const def = getNodeDefinition(node.kind);
    if (!def) {
      diagnostics.push({ code: 'UNKNOWN_NODE_KIND', severity: 'error', nodeId: node.id, message: `Unknown node kind "${node.kind}"` });
      continue;
    }
    if (node.version !== def.version) {
      diagnostics.push({
        code: 'UNSUPPORTED_NODE_VERSION',
        severity: 'error',
        nodeId: node.id,
        message: `${def.label} version ${node.version} is not supported (this Sluice has version ${def.version})`,
      });
      continue;
    }
    const config = def.config.safeParse(node.config);
    if (!config.success) {
      for (const d of zodDiagnostics(config.error, 'INVALID_CONFIG')) diagnostics.push({ ...d, nodeId: node.id });
      // Outputs stay unknown; downstream nodes are checked once this is fixed.
      states.set(node.id, { def, config: undefined });
      continue;
    }
    states.set(node.id, { def, config: config.data });
  }

  // Wiring: required inputs, ports that exist.
  for (const { node, inputs, outputs } of graph.nodes.values()) {
    const def = states.get(node.id)?.def;
    if (!def) continue;
    for (const port of def.ports.inputs) {
      if (!inputs.has(port.name) && !port.optional) {
        diagnostics.push({ code: 'INPUT_NOT_CONNECTED', severity: 'error', nodeId: node.id, port: port.name, message: `Connect the "${port.label}" input of ${def.label}` });
      }
    }
    for (const [port, edges] of inputs) {
      if (!def.ports.inputs.some((p) => p.name === port)) {
        for (const e of edges) diagnostics.push(edgePortDiagnostic(e.id, node.id, def, port, 'input'));
      }
    }
    for (const [port, edges] of outputs) {
      if (!def.ports.outputs.some((p) => p.name === port)) {
        for (const e of edges) diagnostics.push(edgePortDiagnostic(e.id, node.id, def, port, 'output'));
      }
    }
    for (const port of def.ports.outputs) {
      if (!outputs.has(port.name)) {
        diagnostics.push({ code: 'OUTPUT_UNUSED', severity: 'warning', nodeId: node.id, port: port.name, message: `The "${port.label}" output of ${def.label} goes nowhere` });
      }
    }
  }

  const { order, blocked } = topologicalOrder(graph);
  // Behind a cycle, the cycle is the explanation.
  checkSinksReachable(graph, states, new Set(blocked), diagnostics);
  if (blocked.length > 0) {
    const cycle = findCycle(graph, blocked);
    const label = (id: string) => graph.nodes.get(id)?.node.label ?? id;
    for (const nodeId of new Set(cycle.length > 0 ? cycle : blocked)) {
      diagnostics.push({ code: 'CYCLE', severity: 'error', nodeId, message: `Cycle: ${cycle.map(label).join(' → ')}. Data must flow one way.` });
    }
  }

  // Schema propagation in dependency order.
  const known = (nodeId: string, port: string): Column[] | undefined => {
    const ports = schemas.get(nodeId);
    return ports && Object.hasOwn(ports, port) ? ports[port] : undefined;
  };
  for (const nodeId of order) {
    const state = states.get(nodeId);
    const graphNode = graph.nodes.get(nodeId);
    if (!state || state.config === undefined || !graphNode) continue;
    const inputs: Record<string, Column[]> = {};
    let inputsKnown = true;
    for (const port of state.def.ports.inputs) {
      const edge = graphNode.inputs.get(port.name)?.[0];
      // An optional port left unconnected is simply absent.
      if (!edge && port.optional) continue;
      const columns = edge ? known(edge.source.node, edge.source.port) : undefined;
      if (columns) inputs[port.name] = columns;
      else inputsKnown = false;
    }
    if (!inputsKnown) continue;
    const answered = answeredExpressions(nodeId, state, inputs, options.expressionAnswers, questions, diagnostics);
    if (!answered) continue;
    const result = state.def.propagate({ config: state.config, inputs, expressions: answered.expressions, queries: answered.queries });
    schemas.set(nodeId, result.outputs);
    lineage.set(nodeId, result.lineage);
    facts.set(nodeId, { def: state.def, inputs, outputs: result.outputs, lineage: result.lineage, uses: result.uses ?? [] });
    for (const issue of result.issues ?? []) {
      diagnostics.push({ code: issue.code, severity: issue.severity ?? 'error', nodeId, path: issue.path, message: issue.message });
    }
  }

  // Judged by kind alone, so a destination with a bad version or config is not also reported missing.
  if (!doc.nodes.some((n) => getNodeDefinition(n.kind)?.category === 'destination')) {
    diagnostics.push({ code: 'NO_DESTINATION', severity: 'error', message: 'Add a destination: a pipeline that writes nowhere does nothing' });
  }

  const plan = hasErrors(diagnostics) || questions.length > 0 ? null : planStages(order, graph, states, facts, options.optimize ?? true);
  return { diagnostics: sortDiagnostics(diagnostics, doc), schemas: Object.fromEntries(schemas), lineage: Object.fromEntries(lineage), plan, questions };
}

/**
 * The types of a node's SQL expressions, once DuckDB has answered for all of
 * them; otherwise records what is still open (questions) or wrong
 * (diagnostics) and returns undefined, so the node's outputs stay unknown.
 */
function answeredExpressions(
  nodeId: string,
  state: NodeState,
  inputs: Record<string, Column[]>,
  answers: ExpressionAnswers | undefined,
  questions: ExpressionQuestion[],
  diagnostics: Diagnostic[],
): { expressions: Record<string, { type: ColumnType; references: string[] }>; queries: Record<string, Column[]> } | undefined {
  const specs: ExpressionSpec[] = state.def.expressions?.(state.config) ?? [];
  const types: Record<string, { type: ColumnType; references: string[] }> = {};
  const queries: Record<string, Column[]> = {};
  let complete = true;
  for (const spec of specs) {
    const answer = answers?.get(nodeId)?.[spec.key];
    // An answer about other text (the expression changed) is no answer: only checked SQL is ever planned.
    if (answer?.sql !== spec.sql) {
      const relations = spec.kind === 'query' ? Object.fromEntries((spec.ports ?? []).flatMap((p) => (inputs[p] ? [[p, inputs[p]] as const] : []))) : undefined;
      questions.push({ ...spec, nodeId, columns: inputs[spec.port] ?? [], ...(relations ? { relations } : {}) });
      complete = false;
    } else if (!answer.ok) {
      diagnostics.push({ code: 'INVALID_EXPRESSION', severity: 'error', nodeId, path: spec.path, message: answer.message });
      complete = false;
    } else if ('columns' in answer) {
      queries[spec.key] = answer.columns;
    } else {
      types[spec.key] = { type: answer.type, references: answer.references };
    }
  }
  return complete ? { expressions: types, queries } : undefined;
}

function checkStructure(doc: VisualPipeline, graph: PipelineGraph, diagnostics: Diagnostic[]): void {
  const seen = new Set<string>();
  for (const node of doc.nodes) {
    if (seen.has(node.id)) diagnostics.push({ code: 'DUPLICATE_NODE_ID', severity: 'error', nodeId: node.id, message: `Node id "${node.id}" is used twice` });
    seen.add(node.id);
  }
  for (const edge of doc.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!graph.nodes.has(end.node)) {
        diagnostics.push({ code: 'EDGE_UNKNOWN_NODE', severity: 'error', edgeId: edge.id, message: `Edge ${edge.id} points at node "${end.node}", which does not exist` });
      }
    }
  }
  for (const { node, inputs } of graph.nodes.values()) {
    for (const [port, edges] of inputs) {
      if (edges.length > 1) {
        diagnostics.push({ code: 'INPUT_ALREADY_CONNECTED', severity: 'error', nodeId: node.id, port, message: `Input "${port}" has ${edges.length} incoming edges; it takes one` });
      }
    }
  }
}

/** Destinations that no path of edges connects to a source; reported on the destination, naming where the path breaks. */
function checkSinksReachable(graph: PipelineGraph, states: Map<string, NodeState>, blocked: ReadonlySet<string>, diagnostics: Diagnostic[]): void {
  const reached = new Set<string>();
  const queue = [...graph.nodes.keys()].filter((id) => states.get(id)?.def.category === 'source');
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    if (reached.has(id)) continue;
    reached.add(id);
    for (const edges of graph.nodes.get(id)?.outputs.values() ?? []) for (const e of edges) queue.push(e.target.node);
  }
  for (const { node, inputs } of graph.nodes.values()) {
    const def = states.get(node.id)?.def;
    // A destination with nothing connected already has INPUT_NOT_CONNECTED.
    if (def?.category !== 'destination' || reached.has(node.id) || inputs.size === 0 || blocked.has(node.id)) continue;
    diagnostics.push({ code: 'UNREACHABLE_SINK', severity: 'error', nodeId: node.id, message: `No source reaches ${node.label ?? def.label}: every path into it ends at a node without a connected input` });
  }
}

function edgePortDiagnostic(edgeId: string, nodeId: string, def: NodeDefinition, port: string, side: 'input' | 'output'): Diagnostic {
  const ports = side === 'input' ? def.ports.inputs : def.ports.outputs;
  return {
    code: 'EDGE_UNKNOWN_PORT',
    severity: 'error',
    nodeId,
    edgeId,
    port,
    message: `${def.label} has no ${side} port "${port}" (it has: ${ports.map((p) => p.name).join(', ') || 'none'})`,
  };
}

function planStages(order: string[], graph: PipelineGraph, states: Map<string, NodeState>, facts: ReadonlyMap<string, NodeFacts>, optimize: boolean): ExecutionPlan {
  const live = optimize ? computeLiveness(order, graph, facts) : undefined;
  // The columns a node's output port hands on: all propagated ones, or the live ones in propagated order.
  const handedOn = (nodeId: string, port: string): Column[] => {
    const columns = facts.get(nodeId)?.outputs[port] ?? [];
    const keep = live?.get(portKey(nodeId, port));
    return keep ? columns.filter((c) => keep.has(c.name)) : columns;
  };
  const tables = new Map<string, string>(); // portKey → table
  const stages: Stage[] = [];
  order.forEach((nodeId, index) => {
    const state = states.get(nodeId);
    const graphNode = graph.nodes.get(nodeId);
    if (!state || !graphNode) return;
    const inputs: Record<string, Relation> = {};
    const inputColumns: Record<string, Column[]> = {};
    const dependsOn = new Set<string>();
    for (const [port, edges] of graphNode.inputs) {
      const edge = edges[0];
      if (!edge) continue;
      const source = tables.get(portKey(edge.source.node, edge.source.port));
      if (source) inputs[port] = table(source);
      inputColumns[port] = handedOn(edge.source.node, edge.source.port);
      dependsOn.add(edge.source.node);
    }
    const outputTables: Record<string, string> = {};
    const outputTable = (port: string) => {
      const name = `s${index}_${port.replace(/\W/g, '_')}`;
      outputTables[port] = name;
      tables.set(portKey(nodeId, port), name);
      return name;
    };
    for (const port of state.def.ports.outputs) outputTable(port.name);
    const ops = state.def.plan({ nodeId, config: state.config, inputs, inputColumns, outputTable });
    stages.push({ id: nodeId, nodeIds: [nodeId], kind: state.def.kind, dependsOn: [...dependsOn], ops, outputTables });
  });
  if (!optimize) return { stages };
  // Narrow only what stays materialised; inside a fused statement DuckDB prunes by itself.
  const failsOnData = (stage: Stage) => {
    const state = states.get(stage.id);
    return state?.def.failsOnData?.(state.config) ?? false;
  };
  // Then flatten what fusion nested, so DuckDB computes expressions after the filters above them (../sql/flatten.ts).
  const flattened = (op: StageOp): StageOp => ('query' in op ? { ...op, query: flattenProjections(op.query) } : op);
  const fused = fuseStages(stages, failsOnData).map((s) => ({ ...s, ops: s.ops.map((op) => flattened(pruned(op, s.id, s.outputTables, handedOn, facts))) }));
  return { stages: deferFileReads(fused) };
}

/** A materialisation narrowed to the columns downstream reads, when that is fewer than the node produces. */
function pruned(op: StageOp, nodeId: string, outputTables: Record<string, string>, handedOn: (nodeId: string, port: string) => Column[], facts: ReadonlyMap<string, NodeFacts>): StageOp {
  if (op.op !== 'materialize') return op;
  const port = Object.keys(outputTables).find((p) => outputTables[p] === op.table);
  if (port === undefined) return op;
  const kept = handedOn(nodeId, port);
  if (kept.length === (facts.get(nodeId)?.outputs[port]?.length ?? 0)) return op;
  return { ...op, query: selectColumns(kept.map((c) => c.name), { t: 'subquery', query: op.query, alias: 'unpruned' }) };
}

function zodDiagnostics(error: ZodError, code: 'DOCUMENT_INVALID' | 'INVALID_CONFIG'): Diagnostic[] {
  return error.issues.map((issue) => ({
    code,
    severity: 'error' as const,
    path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: issue.path.length > 0 || code === 'INVALID_CONFIG' ? issue.message : `${DiagnosticCodes[code]}: ${issue.message}`,
  }));
}

function sortDiagnostics(diagnostics: Diagnostic[], doc: VisualPipeline): Diagnostic[] {
  const position = new Map(doc.nodes.map((n, i) => [n.id, i]));
  const rank = (d: Diagnostic) => (d.nodeId === undefined ? -1 : (position.get(d.nodeId) ?? doc.nodes.length));
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || (a.d.severity === b.d.severity ? 0 : a.d.severity === 'error' ? -1 : 1) || a.i - b.i)
    .map(({ d }) => d);
}
