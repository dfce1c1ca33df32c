'use client';
import { useConnection } from '@xyflow/react';
import { connectionProblem, connectionProblemMessages } from '../connections';
import { useDesignerStore } from '../store-context';

/** While an edge is dragged over a handle it may not join, says why. */
export function ConnectionHint() {
  const connection = useConnection();
  const edges = useDesignerStore((s) => s.edges);
  if (!connection.inProgress || !connection.toHandle || connection.isValid !== false) return null;
  const { fromHandle, toHandle } = connection;
  // A drag may start at either end; the rules are about output → input.
  const [from, to] = fromHandle.type === 'source' ? [fromHandle, toHandle] : [toHandle, fromHandle];
  const problem =
    from.type === to.type ? 'missing-port' : connectionProblem(edges, { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id });
  if (!problem) return null;
  return (
    <div
      role="status"
      data-testid="connection-problem"
      data-problem={problem}
      className="pointer-events-none absolute top-3 left-1/2 z-10 -translate-x-1/2 rounded border border-red-800 bg-red-950/90 px-2.5 py-1 text-xs text-red-200 shadow"
    >
      {connectionProblemMessages[problem]}
    </div>
  );
}
