// Where a node added by clicking goes: the requested spot if free, else the
// nearest free slot of a grid around it: along the row first (pipelines read
// left to right), then the rows below and above.
import type { XYPosition } from '@xyflow/react';

export const DEFAULT_NODE_SIZE = { width: 208, height: 80 };
const GAP = 32;

interface Placed {
  position: XYPosition;
  measured?: { width?: number; height?: number };
}

function overlaps(a: XYPosition, b: Placed): boolean {
  const width = b.measured?.width ?? DEFAULT_NODE_SIZE.width;
  const height = b.measured?.height ?? DEFAULT_NODE_SIZE.height;
  return (
    a.x < b.position.x + width + GAP &&
    a.x + DEFAULT_NODE_SIZE.width + GAP > b.position.x &&
    a.y < b.position.y + height + GAP &&
    a.y + DEFAULT_NODE_SIZE.height + GAP > b.position.y
  );
}

const offsets = [0, 1, -1, 2, -2];

export function findFreePosition(nodes: readonly Placed[], desired: XYPosition): XYPosition {
  const stepX = DEFAULT_NODE_SIZE.width + GAP;
  const stepY = DEFAULT_NODE_SIZE.height + GAP;
  for (const row of offsets) {
    for (const column of offsets) {
      const candidate = { x: desired.x + column * stepX, y: desired.y + row * stepY };
      if (!nodes.some((n) => overlaps(candidate, n))) return candidate;
    }
  }
  return desired;
}
