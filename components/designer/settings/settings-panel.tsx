'use client';
import { useState } from 'react';
import { selectSelectedNode, type DesignerState } from '../store';
import { useDesignerStore } from '../store-context';
import { PreviewButton } from '@/components/preview/preview-panel';
import { PipelinePanel } from '../pipeline/pipeline-panel';
import { NodeSettings } from './node-settings';

const tabClass = (active: boolean) =>
  `rounded px-2 py-0.5 text-xs font-medium ${active ? 'bg-neutral-800 text-neutral-100' : 'text-neutral-400 hover:bg-neutral-800/60 hover:text-neutral-200'}`;

// The selected node's id and data rather than the node: a drag gives the node a
// new position on every mouse move, and the form would re-render with each one.
const selectSelectedId = (s: DesignerState): string | undefined => selectSelectedNode(s)?.id;

/**
 * The selected node's settings, or the pipeline's when no node is selected.
 * With a node selected, a tab switches to the pipeline's; selecting another node shows it.
 */
export function SettingsPanel() {
  const nodeId = useDesignerStore(selectSelectedId);
  const data = useDesignerStore((s) => (nodeId === undefined ? undefined : s.nodes.find((n) => n.id === nodeId)?.data));
  const node = nodeId !== undefined && data ? { id: nodeId, data } : undefined;
  // The node whose settings the user left for the pipeline tab; another selection shows the node again.
  const [pipelineOver, setPipelineOver] = useState<string | null>(null);
  const showPipeline = !node || pipelineOver === node.id;

  return (
    <aside className="h-full overflow-x-hidden overflow-y-auto border-l border-neutral-800 bg-neutral-900/40 p-3" data-testid="settings-panel">
      <div role="tablist" aria-label="Settings of" className="mb-3 flex items-center gap-1">
        <button type="button" role="tab" aria-selected={!showPipeline} disabled={!node} className={tabClass(!showPipeline)} onClick={() => setPipelineOver(null)} title={node ? undefined : 'Select a node to edit its settings'}>
          Node
        </button>
        <button type="button" role="tab" aria-selected={showPipeline} className={tabClass(showPipeline)} onClick={() => setPipelineOver(node?.id ?? null)}>
          Pipeline
        </button>
        {node && !showPipeline ? (
          <div className="ml-auto">
            <PreviewButton key={node.id} nodeId={node.id} />
          </div>
        ) : null}
      </div>
      {node && !showPipeline ? (
        <NodeSettings key={node.id} nodeId={node.id} data={node.data} />
      ) : (
        <>
          <PipelinePanel />
          {!node ? <p className="mt-4 text-center text-xs text-neutral-500">Select a node on the canvas to edit its settings; drag nodes from the palette, then connect an output (right) to an input (left).</p> : null}
        </>
      )}
    </aside>
  );
}
