'use client';
import type { NodeSummary, PipelineDiff } from '@/server/pipeline/diff';
import { isEmptyDiff } from '@/server/pipeline/diff';

const nodeName = (n: NodeSummary) => (n.label ? `${n.label} (${n.kind})` : `${n.id} (${n.kind})`);

/** A pipeline diff as lists of added, removed and changed nodes and connections. */
export function DiffView({ diff }: { diff: PipelineDiff }) {
  if (isEmptyDiff(diff)) return <p className="text-xs text-neutral-400" data-testid="diff-empty">No differences.</p>;
  return (
    <ul className="space-y-1 text-xs" data-testid="diff-view">
      {diff.addedNodes.map((n) => (
        <li key={`+${n.id}`} data-testid={`diff-added-${n.id}`} className="text-emerald-300">
          + added {nodeName(n)}
        </li>
      ))}
      {diff.removedNodes.map((n) => (
        <li key={`-${n.id}`} data-testid={`diff-removed-${n.id}`} className="text-red-300">
          − removed {nodeName(n)}
        </li>
      ))}
      {diff.changedNodes.map((n) => {
        const parts = [
          n.configKeys.length > 0 ? `settings: ${n.configKeys.join(', ')}` : null,
          n.kindVersionChanged ? 'node version' : null,
          n.labelChanged ? 'label' : null,
          n.moved ? 'moved' : null,
        ].filter((p): p is string => p !== null);
        return (
          <li key={`~${n.id}`} data-testid={`diff-changed-${n.id}`} className={n.configKeys.length > 0 || n.kindVersionChanged ? 'text-amber-300' : 'text-neutral-400'}>
            ~ changed {nodeName(n)} — {parts.join('; ')}
          </li>
        );
      })}
      {diff.addedEdges.map((e) => (
        <li key={`+e${e.id}`} className="text-emerald-300/80">
          + connection {e.source} → {e.target}
        </li>
      ))}
      {diff.removedEdges.map((e) => (
        <li key={`-e${e.id}`} className="text-red-300/80">
          − connection {e.source} → {e.target}
        </li>
      ))}
      {diff.settingsChanged ? <li className="text-amber-300">~ pipeline settings changed</li> : null}
      {diff.parametersChanged ? <li className="text-amber-300">~ parameters changed</li> : null}
    </ul>
  );
}
