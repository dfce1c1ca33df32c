'use client';
// Provides one designer store per open pipeline; components reach it through
// selector hooks so each re-renders only for the slice it reads.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { VisualPipeline } from '@/server/pipeline/model';
import { nodeDisplayLabel } from './document';
import { createDesignerStore, type DesignerState, type DesignerStore } from './store';

const DesignerStoreContext = createContext<DesignerStore | null>(null);

export function DesignerStoreProvider({ initial, children }: { initial: VisualPipeline; children: ReactNode }) {
  const [store] = useState(() => createDesignerStore(initial));
  return <DesignerStoreContext value={store}>{children}</DesignerStoreContext>;
}

export function useDesignerStoreApi(): DesignerStore {
  const store = useContext(DesignerStoreContext);
  if (!store) throw new Error('useDesignerStore must be used inside <DesignerStoreProvider>');
  return store;
}

export function useDesignerStore<T>(selector: (state: DesignerState) => T): T {
  return useStore(useDesignerStoreApi(), selector);
}

/**
 * Names nodes by id for panels that mention them (runs, problems, rejected rows).
 * It reads the nodes' ids and data, whose references a drag leaves alone, so
 * those panels do not re-render on every mouse move while a node is dragged.
 */
export function useNodeLabels(): (nodeId: string) => string {
  const ids = useDesignerStore(useShallow((s) => s.nodes.map((n) => n.id)));
  const data = useDesignerStore(useShallow((s) => s.nodes.map((n) => n.data)));
  return useMemo(() => {
    const labels = new Map(ids.map((id, i) => [id, data[i] ? nodeDisplayLabel(data[i]) : id]));
    return (nodeId: string) => labels.get(nodeId) ?? nodeId;
  }, [ids, data]);
}
