// The pipeline settings form, derived from PipelineSettingsSchema: one field
// per key, a number or select control from the key's zod type, its bounds,
// its default and its description as help. A new setting appears in the form
// without a change here (a type the form cannot show fails the test beside).
import { z } from 'zod';
import type { ScalarWidget } from '@/server/pipeline/define-node';
import { PipelineSettingsSchema, type PipelineSettings, type VisualPipeline } from '@/server/pipeline/model';

export type SettingKey = keyof PipelineSettings;

export interface SettingField {
  key: SettingKey;
  label: string;
  help: string | undefined;
  /** The existing widget spec that renders it (number or select). */
  spec: Extract<ScalarWidget, { widget: 'number' } | { widget: 'select' }>;
  /** Clearing the field means "no limit" (the default is null), not just "the default". */
  nullable: boolean;
  defaultValue: PipelineSettings[SettingKey];
}

/** Labels where the key's words are not enough. */
const labels: Partial<Record<SettingKey, string>> = {
  maxConcurrentRuns: 'Concurrent runs (at most)',
  onBranchFailure: 'When a branch fails',
};

/** Option labels for enum values; others are the value in words. */
const optionLabels: Record<string, string> = {
  continueOthers: 'Keep running the other branches',
  stopAll: 'Stop the whole run',
};

/** "retryDelaySeconds" → "Retry delay (seconds)". */
export function labelFromKey(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const [, body = words, unit] = /^(.*?)(?: (seconds))?$/.exec(words) ?? [];
  const text = unit ? `${body} (${unit})` : body;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function settingField(key: SettingKey, schema: z.ZodType): SettingField {
  const label = labels[key] ?? labelFromKey(key);
  const help = schema.description;
  let inner: z.ZodType = schema;
  let defaultValue: unknown = undefined;
  let nullable = false;
  for (;;) {
    if (inner instanceof z.ZodDefault) {
      defaultValue = inner._zod.def.defaultValue;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.unwrap() as z.ZodType;
    } else break;
  }
  const base = { key, label, help, nullable, defaultValue: defaultValue as PipelineSettings[SettingKey] };
  if (inner instanceof z.ZodNumber) {
    const spec: SettingField['spec'] = { widget: 'number', integer: inner.format?.includes('int') ?? false };
    if (inner.minValue !== null && Number.isFinite(inner.minValue)) spec.min = inner.minValue;
    if (inner.maxValue !== null && Number.isFinite(inner.maxValue)) spec.max = inner.maxValue;
    spec.placeholder = typeof defaultValue === 'number' ? `Default: ${defaultValue}` : 'No limit';
    return { ...base, spec };
  }
  if (inner instanceof z.ZodEnum) {
    const options = (inner.options as string[]).map((value) => ({ value, label: optionLabels[value] ?? labelFromKey(value) }));
    return { ...base, spec: { widget: 'select', options } };
  }
  throw new Error(`The pipeline settings form cannot show "${key}" (${inner.constructor.name})`);
}

export const settingFields: readonly SettingField[] = Object.entries(PipelineSettingsSchema.shape).map(([key, schema]) => settingField(key as SettingKey, schema));

/** What the field must hold, as a sentence: "Stage retries must be a whole number from 0 to 10". */
function expectation(field: SettingField): string {
  const { spec } = field;
  if (spec.widget === 'select') return `${field.label} must be one of: ${spec.options.map((o) => o.label).join(', ')}`;
  const kind = spec.integer ? 'a whole number' : 'a number';
  const range = spec.min !== undefined && spec.max !== undefined ? ` from ${spec.min} to ${spec.max}` : spec.min !== undefined ? ` of at least ${spec.min}` : '';
  return `${field.label} must be ${kind}${range}${field.nullable ? ', or empty for no limit' : ''}`;
}

/** Per setting key, why its value is refused (the save would be refused too); empty when all are sound. */
export function settingsIssues(settings: VisualPipeline['settings']): Map<SettingKey, string> {
  const issues = new Map<SettingKey, string>();
  const parsed = PipelineSettingsSchema.partial().safeParse(settings ?? {});
  if (parsed.success) return issues;
  for (const issue of parsed.error.issues) {
    const field = settingFields.find((f) => f.key === issue.path[0]);
    if (field && !issues.has(field.key)) issues.set(field.key, `${expectation(field)}; ${String(settings?.[field.key])} is not.`);
  }
  return issues;
}

/** The settings with defaults for the unset ones, for showing. */
export function effectiveSettings(settings: VisualPipeline['settings']): Record<SettingKey, unknown> {
  const values = Object.fromEntries(settingFields.map((f) => [f.key, f.defaultValue])) as Record<SettingKey, unknown>;
  return { ...values, ...settings };
}
