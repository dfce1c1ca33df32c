'use client';
// Commands shared by the toolbar and the keyboard: they act on the designer
// store and the React Flow viewport.
import { useReactFlow } from '@xyflow/react';
import { useCallback, useMemo, useState } from 'react';
import type { DesignerEdge, DesignerNode } from '../document';
import { computeLayout } from '../editing/layout-runner';
import { useDesignerStoreApi } from '../store-context';

export const fitViewOptions = { maxZoom: 1, padding: 0.2 };

export function useCanvasCommands() {
  const store = useDesignerStoreApi();
  const flow = useReactFlow<DesignerNode, DesignerEdge>();
  const [layingOut, setLayingOut] = useState(false);

  const fitView = useCallback(() => void flow.fitView({ ...fitViewOptions, duration: 200 }), [flow]);

  const layout = useCallback(async () => {
    const { nodes, edges } = store.getState();
    if (nodes.length === 0) return;
    setLayingOut(true);
    try {
      store.getState().moveNodes(await computeLayout(nodes, edges));
      // Let React Flow place the moved nodes before fitting them.
      requestAnimationFrame(() => void flow.fitView({ ...fitViewOptions, duration: 200 }));
    } finally {
      setLayingOut(false);
    }
  }, [store, flow]);

  return useMemo(
    () => ({
      undo: () => store.getState().undo(),
      redo: () => store.getState().redo(),
      duplicate: () => store.getState().duplicateSelection(),
      selectAll: () => store.getState().selectAll(),
      deleteSelection: () => store.getState().deleteSelection(),
      deselect: () => store.getState().selectNode(null),
      fitView,
      layout,
      layingOut,
    }),
    [store, fitView, layout, layingOut],
  );
}
