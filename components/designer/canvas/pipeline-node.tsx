'use client';
import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { formatRows } from '@/components/ui/format';
import { useNodeDiagnostics } from '../compile-context';
import { nodeDisplayLabel, type DesignerNode } from '../document';
import { nodeDisplayStatus } from '../runs/run-view';
import { useRunView } from '../runs/run-view-store';
import { NodeDiagnosticsBadge } from './node-diagnostics-badge';
import { NodePorts } from './node-ports';
import { statusStyles } from './status-styles';

/** The one renderer for every node kind: everything kind-specific comes from the registry. */
function PipelineNodeView({ id, data, selected }: NodeProps<DesignerNode>) {
  const definition = getNodeDefinition(data.kind);
  const diagnostics = useNodeDiagnostics(id);
  const status = useRunView((s) => nodeDisplayStatus(s.view, id));
  const rows = useRunView((s) => s.view.nodes[id]?.rows ?? null);
  const runError = useRunView((s) => s.view.nodes[id]?.errorMessage ?? null);
  const style = statusStyles[status];
  const label = nodeDisplayLabel(data);

  return (
    <div
      data-testid={`node-${data.kind}`}
      data-node-id={id}
      data-status={status}
      title={runError ?? undefined}
      className={`relative w-52 rounded-md border-2 bg-neutral-900 text-neutral-100 shadow-lg shadow-black/30 ${style.border} ${selected ? 'ring-2 ring-sky-400 ring-offset-1 ring-offset-neutral-950' : ''}`}
    >
      <NodePorts ports={definition?.ports.inputs ?? []} type="target" />
      <div className="flex items-center gap-2 px-2.5 py-2">
        <span aria-hidden className="flex size-6 shrink-0 items-center justify-center rounded bg-neutral-800 text-sm">
          {definition?.icon ?? '?'}
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium" data-testid="node-label">
            {label}
          </div>
          {definition && label !== definition.label ? <div className="truncate text-[10px] text-neutral-500">{definition.label}</div> : null}
          {!definition ? <div className="truncate text-[10px] text-red-300">Unknown kind “{data.kind}”</div> : null}
        </div>
        <NodeDiagnosticsBadge diagnostics={diagnostics} />
      </div>
      {status !== 'idle' ? (
        <div className="flex items-center justify-between gap-2 border-t border-neutral-800 px-2.5 py-1 text-[11px]">
          <span className={`rounded px-1.5 py-px font-medium ${style.chip}`} data-testid="node-status">
            {status}
          </span>
          {rows !== null ? (
            <span className="tabular-nums text-neutral-400" data-testid="node-rows">
              {formatRows(rows)}
            </span>
          ) : null}
        </div>
      ) : null}
      <NodePorts ports={definition?.ports.outputs ?? []} type="source" />
    </div>
  );
}

export const PipelineNode = memo(PipelineNodeView);
