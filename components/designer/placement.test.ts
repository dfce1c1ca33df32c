import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_SIZE, findFreePosition } from './placement';

describe('findFreePosition', () => {
  it('keeps the requested spot when it is free', () => {
    expect(findFreePosition([], { x: 10, y: 20 })).toEqual({ x: 10, y: 20 });
    expect(findFreePosition([{ position: { x: 1000, y: 1000 } }], { x: 0, y: 0 })).toEqual({ x: 0, y: 0 });
  });

  it('tries the next slot to the right, then to the left, then the row below', () => {
    const first = findFreePosition([{ position: { x: 0, y: 0 } }], { x: 0, y: 0 });
    expect(first.y).toBe(0);
    expect(first.x).toBeGreaterThanOrEqual(DEFAULT_NODE_SIZE.width);
    const second = findFreePosition([{ position: { x: 0, y: 0 } }, { position: first }], { x: 0, y: 0 });
    expect(second.y).toBe(0);
    expect(second.x).toBeLessThan(-DEFAULT_NODE_SIZE.width);
    const row = [-2, -1, 0, 1, 2].map((i) => ({ position: { x: i * 240, y: 0 } }));
    const next = findFreePosition(row, { x: 0, y: 0 });
    expect(next).toEqual({ x: 0, y: expect.any(Number) as number });
    expect(next.y).toBeGreaterThanOrEqual(DEFAULT_NODE_SIZE.height);
  });

  it('uses measured sizes when known', () => {
    const wide = [{ position: { x: 0, y: 0 }, measured: { width: 600, height: 80 } }];
    expect(findFreePosition(wide, { x: 300, y: 0 }).x).not.toBe(300);
  });
});
