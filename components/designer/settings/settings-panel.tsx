'use client';
import { selectSelectedNode, type DesignerState } from '../store';
import { useDesignerStore } from '../store-context';
import { PreviewButton } from '@/components/preview/preview-panel';
import { NodeSettings } from './node-settings';

// The selected node's id and data rather than the node: a drag gives the node a
// new position on every mouse move, and the form would re-render with each one.
const selectSelectedId = (s: DesignerState): string | undefined => selectSelectedNode(s)?.id;

export function SettingsPanel() {
  const nodeId = useDesignerStore(selectSelectedId);
  const data = useDesignerStore((s) => (nodeId === undefined ? undefined : s.nodes.find((n) => n.id === nodeId)?.data));
  return (
    <aside className="h-full overflow-x-hidden overflow-y-auto border-l border-neutral-800 bg-neutral-900/40 p-3" data-testid="settings-panel">
      {nodeId !== undefined && data ? (
        <>
          <div className="mb-3 flex justify-end">
            <PreviewButton key={nodeId} nodeId={nodeId} />
          </div>
          <NodeSettings key={nodeId} nodeId={nodeId} data={data} />
        </>
      ) : (
        <div className="space-y-1 pt-6 text-center text-sm text-neutral-500">
          <p>Select a node to edit its settings.</p>
          <p className="text-xs">Drag nodes from the palette, then connect an output (right) to an input (left).</p>
        </div>
      )}
    </aside>
  );
}
