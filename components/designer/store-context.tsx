'use client';
// Provides one designer store per open pipeline; components reach it through
// selector hooks so each re-renders only for the slice it reads.
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { VisualPipeline } from '@/server/pipeline/model';
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
