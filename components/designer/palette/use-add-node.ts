'use client';
import { useStoreApi } from '@xyflow/react';
import { useCallback } from 'react';
import { DEFAULT_NODE_SIZE, findFreePosition } from '../placement';
import { useDesignerStoreApi } from '../store-context';

/** Adds a node of a kind in the middle of the visible canvas, beside any node already there. */
export function useAddNodeAtCenter(): (kind: string) => string | null {
  const flow = useStoreApi();
  const designer = useDesignerStoreApi();
  return useCallback(
    (kind: string) => {
      const { width, height, transform } = flow.getState();
      const [tx, ty, zoom] = transform;
      const centre = {
        x: (width / 2 - tx) / zoom - DEFAULT_NODE_SIZE.width / 2,
        y: (height / 2 - ty) / zoom - DEFAULT_NODE_SIZE.height / 2,
      };
      return designer.getState().addNode(kind, findFreePosition(designer.getState().nodes, centre));
    },
    [flow, designer],
  );
}
