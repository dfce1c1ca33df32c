// Compile results arranged for the canvas and forms: diagnostics per node and
// the columns that reach each input port.
import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { Column } from '@/server/pipeline/types';
import type { EdgeEnds } from './connections';

/** Output columns per node id, per output port. */
export type PortSchemas = Readonly<Record<string, Readonly<Record<string, Column[]>>>>;

export interface CompileView {
  diagnostics: readonly Diagnostic[];
  byNode: ReadonlyMap<string, Diagnostic[]>;
  schemas: PortSchemas;
  errorCount: number;
  warningCount: number;
}

export const emptyCompileView: CompileView = { diagnostics: [], byNode: new Map(), schemas: {}, errorCount: 0, warningCount: 0 };

export function buildCompileView(result: { diagnostics: Diagnostic[]; schemas: PortSchemas } | undefined): CompileView {
  if (!result) return emptyCompileView;
  const byNode = new Map<string, Diagnostic[]>();
  let errorCount = 0;
  for (const d of result.diagnostics) {
    if (d.severity === 'error') errorCount++;
    if (!d.nodeId) continue;
    const list = byNode.get(d.nodeId);
    if (list) list.push(d);
    else byNode.set(d.nodeId, [d]);
  }
  return { diagnostics: result.diagnostics, byNode, schemas: result.schemas, errorCount, warningCount: result.diagnostics.length - errorCount };
}

interface SourcedEdge extends EdgeEnds {
  sourceHandle?: string | null;
}

/** The edge feeding `port` of `nodeId`, if any. */
export function findInputEdge<E extends SourcedEdge>(edges: readonly E[], nodeId: string, port: string): E | undefined {
  return edges.find((e) => e.target === nodeId && e.targetHandle === port);
}

/** A node's input columns: what the compiler propagated to the output feeding that port. */
export function columnsFromEdge(schemas: PortSchemas, edge: SourcedEdge | undefined): Column[] {
  if (!edge?.sourceHandle) return [];
  return schemas[edge.source]?.[edge.sourceHandle] ?? [];
}

/** Diagnostics that concern one form field: those whose config path starts at its key. */
export function fieldDiagnostics(diagnostics: readonly Diagnostic[], key: string): Diagnostic[] {
  return diagnostics.filter((d) => d.path?.[0] === key);
}
