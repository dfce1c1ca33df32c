'use client';
// Compiles the draft on the server as the user edits (debounced, keyed by the
// document's content) and shares the result with nodes and forms.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { Column } from '@/server/pipeline/types';
import type { VisualPipeline } from '@/server/pipeline/model';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { useTRPC } from '@/components/trpc';
import { buildCompileView, columnsFromEdge, emptyCompileView, findInputEdge, type CompileView } from './compile-view';
import { toCompileDocument } from './document';
import type { DesignerState } from './store';
import { useDesignerStore, useDesignerStoreApi } from './store-context';

export const COMPILE_DEBOUNCE_MS = 300;

const compileDocumentOf = (state: DesignerState) => toCompileDocument(state.nodes, state.edges, state.parameters);

const CompileContext = createContext<CompileView>(emptyCompileView);

/** The compile-relevant document, updated at most once per pause in editing. */
function useDebouncedCompileDocument(delayMs: number): VisualPipeline {
  const store = useDesignerStoreApi();
  const [document, setDocument] = useState(() => compileDocumentOf(store.getState()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.revision === previous.revision) return;
      clearTimeout(timer);
      timer = setTimeout(() => setDocument(compileDocumentOf(store.getState())), delayMs);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store, delayMs]);
  return document;
}

export function CompileProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const document = useDebouncedCompileDocument(COMPILE_DEBOUNCE_MS);
  const { data } = useQuery({
    ...trpc.pipeline.compile.queryOptions({ document }),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: false,
  });
  const view = useMemo(() => buildCompileView(data), [data]);
  return <CompileContext value={view}>{children}</CompileContext>;
}

export function useCompileView(): CompileView {
  return useContext(CompileContext);
}

const noDiagnostics: Diagnostic[] = [];

export function useNodeDiagnostics(nodeId: string): Diagnostic[] {
  return useCompileView().byNode.get(nodeId) ?? noDiagnostics;
}

/** The columns arriving at `port` of `nodeId`, as last propagated by the compiler. */
export function useInputColumns(nodeId: string, port: string): Column[] {
  const edge = useDesignerStore((s) => findInputEdge(s.edges, nodeId, port));
  const { schemas } = useCompileView();
  return useMemo(() => columnsFromEdge(schemas, edge), [schemas, edge]);
}

/** Every input of a node that has an edge, with the columns arriving there (for code editors that read all inputs). */
export function useConnectedInputs(nodeId: string): { ports: string[]; columns: Column[] } {
  const kind = useDesignerStore((s) => s.nodes.find((n) => n.id === nodeId)?.data.kind);
  const edges = useDesignerStore((s) => s.edges);
  const { schemas } = useCompileView();
  return useMemo(() => {
    const ports: string[] = [];
    const columns: Column[] = [];
    for (const port of (kind ? getNodeDefinition(kind)?.ports.inputs : undefined) ?? []) {
      const edge = findInputEdge(edges, nodeId, port.name);
      if (!edge) continue;
      ports.push(port.name);
      columns.push(...columnsFromEdge(schemas, edge));
    }
    return { ports, columns };
  }, [kind, edges, schemas, nodeId]);
}
