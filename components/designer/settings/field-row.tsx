'use client';
import { useId } from 'react';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { FieldSpec } from '@/server/pipeline/define-node';
import { fieldDiagnostics } from '../compile-view';
import { FieldWidget } from '../widgets/widgets';

interface FieldRowProps {
  field: FieldSpec;
  nodeId: string;
  config: Record<string, unknown>;
  diagnostics: readonly Diagnostic[];
  onMerge: (patch: Record<string, unknown>) => void;
}

/** One form field: its widget, help text and the problems the compiler found in it. */
export function FieldRow({ field, nodeId, config, diagnostics, onMerge }: FieldRowProps) {
  const inputId = useId();
  const issues = fieldDiagnostics(diagnostics, field.key);
  const helpId = field.help ? `${inputId}-help` : undefined;
  const issuesId = issues.length > 0 ? `${inputId}-issues` : undefined;
  const describedBy = [helpId, issuesId].filter(Boolean).join(' ') || undefined;

  return (
    <div className="space-y-1" data-field={field.key} data-invalid={issues.length > 0 ? 'true' : undefined}>
      <FieldWidget
        field={field}
        nodeId={nodeId}
        value={config[field.key]}
        config={config}
        onChange={(value) => onMerge({ [field.key]: value })}
        onMerge={onMerge}
        inputId={inputId}
        describedBy={describedBy}
        issues={issues}
      />
      {field.help ? (
        <p id={helpId} className="text-xs text-neutral-500">
          {field.help}
        </p>
      ) : null}
      {issues.length > 0 ? (
        <ul id={issuesId} className="space-y-0.5" data-testid="field-error">
          {issues.map((d, i) => (
            <li key={i} className={d.severity === 'error' ? 'text-xs text-red-300' : 'text-xs text-amber-300'}>
              {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
