import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { FieldSpec, ScalarWidget } from '@/server/pipeline/define-node';

export type WidgetName = FieldSpec['widget'];
export type FieldOf<W extends WidgetName> = Extract<FieldSpec, { widget: W }>;

export interface WidgetProps<F extends FieldSpec = FieldSpec> {
  field: F;
  nodeId: string;
  /** The config value at `field.key`. */
  value: unknown;
  /** The node's whole draft config, for widgets that edit several keys together (the filter's tree, mode and SQL). */
  config: Readonly<Record<string, unknown>>;
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

/** Whether a diagnostic points at exactly this spot and nothing deeper, e.g. a whole list item ['sort', 1]. */
export const issueExactlyAt = (issues: readonly Diagnostic[], ...path: (string | number)[]): boolean =>
  issues.some((d) => d.path?.length === path.length + 1 && path.every((part, i) => d.path?.[i + 1] === part));

export type ScalarName = ScalarWidget['widget'];
export type ScalarSpecOf<W extends ScalarName> = Extract<ScalarWidget, { widget: W }>;

/**
 * A scalar control (text, number, select, toggle, column, expression) with its
 * visible label. The same controls render top-level fields and list item fields.
 */
export interface ScalarControlProps<S extends ScalarWidget = ScalarWidget> {
  spec: S;
  nodeId: string;
  value: unknown;
  /** Called with `undefined` to remove the value. */
  onChange: (value: unknown) => void;
  /** Id of the control; its visible label points at it. */
  id: string;
  /** Visible label text. */
  label: string;
  /** Accessible name when it must say more than the visible label, e.g. "Sort key 1 column". */
  ariaLabel?: string;
  describedBy: string | undefined;
  invalid: boolean;
  /** Smaller type and spacing, for list items. */
  compact?: boolean;
  /** The diagnostics that point at this control (code editors mark them in the text). */
  issues?: readonly Diagnostic[];
}

/** Props of a top-level scalar field's control. */
export function fieldControlProps<F extends FieldSpec & ScalarWidget>({ field, nodeId, value, onChange, inputId, describedBy, issues }: WidgetProps<F>): ScalarControlProps<F> {
  return { spec: field, nodeId, value, onChange, id: inputId, label: field.label, describedBy, invalid: issues.length > 0, issues };
}

/** Lower-cases a label's first letter for use mid-sentence ("Sort key" → "sort key"), leaving acronyms ("SQL") alone. */
export function midSentence(label: string): string {
  const [first = '', second = ''] = label;
  return second !== '' && second === second.toUpperCase() && second !== second.toLowerCase() ? label : first.toLowerCase() + label.slice(1);
}

/** Diagnostics for one field of one list item: path [listKey, index, itemKey, …]. */
export const issuesAt = (issues: readonly Diagnostic[], index: number, key: string): Diagnostic[] =>
  issues.filter((d) => d.path?.[1] === index && d.path[2] === key);
