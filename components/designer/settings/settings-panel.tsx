'use client';
import { selectSelectedNode } from '../store';
import { useDesignerStore } from '../store-context';
import { PreviewButton } from '@/components/preview/preview-panel';
import { NodeSettings } from './node-settings';

export function SettingsPanel() {
  const node = useDesignerStore(selectSelectedNode);
  return (
    <aside className="h-full overflow-x-hidden overflow-y-auto border-l border-neutral-800 bg-neutral-900/40 p-3" data-testid="settings-panel">
      {node ? (
        <>
          <div className="mb-3 flex justify-end">
            <PreviewButton key={node.id} nodeId={node.id} />
          </div>
          <NodeSettings key={node.id} node={node} />
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
