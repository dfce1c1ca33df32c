import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { FieldSpec } from '@/server/pipeline/define-node';

export type WidgetName = FieldSpec['widget'];
export type FieldOf<W extends WidgetName> = Extract<FieldSpec, { widget: W }>;

export interface WidgetProps<F extends FieldSpec = FieldSpec> {
  field: F;
  nodeId: string;
  /** The config value at `field.key`. */
  value: unknown;
  onChange: (value: unknown) => void;
  /** Sets several config keys at once (an upload fills path, dialect and columns). */
  onMerge: (patch: Record<string, unknown>) => void;
  /** Id for the field's main control, so its label and help can point at it. */
  inputId: string;
  describedBy: string | undefined;
  /** Diagnostics whose path starts at this field's key. */
  issues: readonly Diagnostic[];
}

/** Whether a diagnostic points at this exact spot inside the field, e.g. ['rules', 0, 'column']. */
export const issueAt = (issues: readonly Diagnostic[], ...path: (string | number)[]): boolean =>
  issues.some((d) => path.every((part, i) => d.path?.[i + 1] === part));
