'use client';
import { useCallback, useId } from 'react';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { buttonClass, inputClass, labelClass } from '@/components/ui/styles';
import { useNodeDiagnostics } from '../compile-context';
import type { DesignerNode } from '../document';
import { useDesignerStore } from '../store-context';
import { FieldRow } from './field-row';
import { NodeDiagnosticsList } from './node-diagnostics-list';

/** The settings form of one node, generated from its kind's field list. */
export function NodeSettings({ nodeId, data }: { nodeId: string; data: DesignerNode['data'] }) {
  const labelId = useId();
  const definition = getNodeDefinition(data.kind);
  const diagnostics = useNodeDiagnostics(nodeId);
  const updateConfig = useDesignerStore((s) => s.updateConfig);
  const setLabel = useDesignerStore((s) => s.setLabel);
  const removeNode = useDesignerStore((s) => s.removeNode);
  const onMerge = useCallback((patch: Record<string, unknown>) => updateConfig(nodeId, patch), [updateConfig, nodeId]);

  return (
    <div className="space-y-4" data-testid="node-settings" data-node-id={nodeId}>
      <div className="flex items-start gap-2">
        <span aria-hidden className="flex size-7 shrink-0 items-center justify-center rounded bg-neutral-800 text-base">
          {definition?.icon ?? '?'}
        </span>
        <div className="min-w-0">
          <h2 className="truncate text-sm font-semibold">{definition?.label ?? data.kind}</h2>
          <p className="text-xs text-neutral-500">{definition?.description ?? 'This node kind is not known to this version of Sluice.'}</p>
        </div>
      </div>

      <div className="space-y-1">
        <label htmlFor={labelId} className={labelClass}>
          Label
        </label>
        <input
          id={labelId}
          type="text"
          className={inputClass}
          value={data.label ?? ''}
          placeholder={definition?.label ?? data.kind}
          maxLength={120}
          onChange={(e) => setLabel(nodeId, e.target.value)}
        />
      </div>

      {definition?.fields.map((field) => (
        <FieldRow key={field.key} field={field} nodeId={nodeId} config={data.config} diagnostics={diagnostics} onMerge={onMerge} />
      ))}

      <section className="space-y-1.5 border-t border-neutral-800 pt-3">
        <h3 className="text-xs font-semibold tracking-wide text-neutral-400 uppercase">Problems</h3>
        <NodeDiagnosticsList diagnostics={diagnostics} />
      </section>

      <div className="border-t border-neutral-800 pt-3">
        <button type="button" className={`${buttonClass.danger} px-2 py-0.5 text-xs`} onClick={() => removeNode(nodeId)}>
          Delete node
        </button>
      </div>
    </div>
  );
}
