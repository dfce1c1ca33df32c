'use client';
// Live run status, kept apart from the editing store: events and snapshots
// update this store, and only the nodes whose status changed re-render.
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { applyRunEvents, emptyRunView, mergeRunSnapshot, startRunView, type RunSnapshot, type RunView } from './run-view';
import type { RunEvent, RunStatus } from './run-types';

export interface RunViewState {
  view: RunView;
  /** Shows `runId` on the canvas; keeps what is known if it is already shown. */
  show: (runId: string, status: RunStatus | null) => void;
  applyEvents: (runId: string, events: readonly RunEvent[]) => void;
  applySnapshot: (snapshot: RunSnapshot) => void;
  clear: () => void;
}

export function createRunViewStore() {
  return createStore<RunViewState>()((set) => ({
    view: emptyRunView,
    show: (runId, status) => set((s) => (s.view.runId === runId ? s : { view: startRunView(runId, status) })),
    applyEvents: (runId, events) => set((s) => (s.view.runId === runId ? { view: applyRunEvents(s.view, events) } : s)),
    applySnapshot: (snapshot) => set((s) => ({ view: mergeRunSnapshot(s.view, snapshot) })),
    clear: () => set({ view: emptyRunView }),
  }));
}

export type RunViewStore = ReturnType<typeof createRunViewStore>;

const RunViewContext = createContext<RunViewStore | null>(null);

export function RunViewProvider({ children }: { children: ReactNode }) {
  const [store] = useState(createRunViewStore);
  return <RunViewContext value={store}>{children}</RunViewContext>;
}

export function useRunViewApi(): RunViewStore {
  const store = useContext(RunViewContext);
  if (!store) throw new Error('useRunView must be used inside <RunViewProvider>');
  return store;
}

export function useRunView<T>(selector: (state: RunViewState) => T): T {
  return useStore(useRunViewApi(), selector);
}
