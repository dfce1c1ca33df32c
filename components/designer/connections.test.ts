import { describe, expect, it } from 'vitest';
import { connectionProblem, isInputTaken, wouldCreateCycle } from './connections';

// a → b → c, and d on its own.
const edges = [
  { source: 'a', target: 'b', targetHandle: 'input' },
  { source: 'b', target: 'c', targetHandle: 'input' },
];

describe('wouldCreateCycle', () => {
  it('detects an edge that closes a loop, directly or through other nodes', () => {
    expect(wouldCreateCycle(edges, 'b', 'a')).toBe(true);
    expect(wouldCreateCycle(edges, 'c', 'a')).toBe(true);
    expect(wouldCreateCycle(edges, 'a', 'a')).toBe(true);
  });

  it('allows edges that keep the graph acyclic', () => {
    expect(wouldCreateCycle(edges, 'a', 'c')).toBe(false);
    expect(wouldCreateCycle(edges, 'c', 'd')).toBe(false);
    expect(wouldCreateCycle([], 'x', 'y')).toBe(false);
  });

  it('copes with diamonds without revisiting', () => {
    const diamond = [
      { source: 'a', target: 'b' },
      { source: 'a', target: 'c' },
      { source: 'b', target: 'd' },
      { source: 'c', target: 'd' },
    ];
    expect(wouldCreateCycle(diamond, 'd', 'a')).toBe(true);
    expect(wouldCreateCycle(diamond, 'b', 'c')).toBe(false);
  });
});

describe('connectionProblem', () => {
  const connection = (source: string, target: string, targetHandle = 'input') => ({ source, target, sourceHandle: 'output', targetHandle });

  it('refuses self-loops, cycles and a second edge into one input', () => {
    expect(connectionProblem(edges, connection('a', 'a'))).toBe('self-loop');
    expect(connectionProblem(edges, connection('c', 'a'))).toBe('cycle');
    expect(connectionProblem(edges, connection('d', 'b'))).toBe('input-taken');
    expect(connectionProblem(edges, { source: 'd', target: 'a', sourceHandle: null, targetHandle: 'input' })).toBe('missing-port');
  });

  it('accepts a new edge into a free input', () => {
    expect(connectionProblem(edges, connection('c', 'd'))).toBeNull();
    expect(connectionProblem(edges, connection('d', 'b', 'right'))).toBeNull();
  });

  it('knows which inputs are taken', () => {
    expect(isInputTaken(edges, 'b', 'input')).toBe(true);
    expect(isInputTaken(edges, 'a', 'input')).toBe(false);
  });
});
