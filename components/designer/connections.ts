// Connection rules for the canvas, as pure functions over edges. The compiler
// reports the same problems for documents that arrive another way; these stop
// the user from drawing them in the first place.

export interface EdgeEnds {
  source: string;
  target: string;
  targetHandle?: string | null;
}

export type ConnectionProblem = 'self-loop' | 'cycle' | 'input-taken' | 'missing-port';

/** Whether `to` can already reach `from` by following edges, so `from → to` would close a loop. */
export function wouldCreateCycle(edges: readonly EdgeEnds[], from: string, to: string): boolean {
  if (from === to) return true;
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.source);
    if (list) list.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const seen = new Set<string>([to]);
  const stack = [to];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined) break;
    if (current === from) return true;
    for (const target of next.get(current) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  return false;
}

export function isInputTaken(edges: readonly EdgeEnds[], node: string, port: string): boolean {
  return edges.some((e) => e.target === node && e.targetHandle === port);
}

/** Why a new edge may not be drawn, or null when it may. */
export function connectionProblem(
  edges: readonly EdgeEnds[],
  connection: { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null },
): ConnectionProblem | null {
  if (!connection.sourceHandle || !connection.targetHandle) return 'missing-port';
  if (connection.source === connection.target) return 'self-loop';
  if (isInputTaken(edges, connection.target, connection.targetHandle)) return 'input-taken';
  if (wouldCreateCycle(edges, connection.source, connection.target)) return 'cycle';
  return null;
}

/** What the canvas says while the user drags an edge that would break a rule. */
export const connectionProblemMessages: Record<ConnectionProblem, string> = {
  'self-loop': 'A node cannot feed itself',
  cycle: 'This edge would create a cycle',
  'input-taken': 'This input already has an edge; remove it first',
  'missing-port': 'Connect an output to an input',
};
