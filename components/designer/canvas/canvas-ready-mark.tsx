'use client';
import { useNodesInitialized, useStore } from '@xyflow/react';
import { useEffect, useRef } from 'react';

/** The performance-timeline mark the designer benchmark (bench/designer.ts) waits for. */
export const CANVAS_READY_MARK = 'sluice:canvas-ready';

/**
 * Marks the performance timeline once, the first time every node of the loaded
 * pipeline is in the page and measured (React Flow knows its width and height),
 * with the node count as the mark's detail. Renders nothing.
 */
export function CanvasReadyMark() {
  const initialized = useNodesInitialized();
  const count = useStore((s) => s.nodeLookup.size);
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || !initialized || count === 0) return;
    marked.current = true;
    performance.mark(CANVAS_READY_MARK, { detail: { nodes: count } });
  }, [initialized, count]);
  return null;
}
