// Editing the pipeline's parameter declarations: names, defaults typed from
// what a form holds, the problems to show (each naming the parameter), and
// where the node settings use each parameter. Pure: the store and the panel
// call these.
import { ParameterNameSchema, type ParameterDeclaration, type ParameterType } from '@/server/pipeline/model';
import { coerceParameterValue, parameterReferences, pathKey, PLACEHOLDER } from '@/server/pipeline/parameters';
import { AppError } from '@/server/errors';

export const parameterTypeLabels: Record<ParameterType, string> = {
  string: 'Text',
  integer: 'Whole number',
  float: 'Decimal number',
  boolean: 'True / false',
  date: 'Date',
  timestamp: 'Timestamp',
};

/** The first free name of the form param1, param2, … */
export function newParameterName(existing: readonly ParameterDeclaration[]): string {
  const taken = new Set(existing.map((p) => p.name));
  for (let i = 1; ; i++) if (!taken.has(`param${i}`)) return `param${i}`;
}

/** Why `name` cannot name a parameter (shown under the name field), or null. `others` are the other declarations. */
export function parameterNameProblem(name: string, others: readonly ParameterDeclaration[]): string | null {
  if (name === '') return 'A parameter needs a name';
  if (!ParameterNameSchema.safeParse(name).success) {
    return `"${name}" cannot name a parameter: use 1–64 letters, digits or _, not starting with a digit`;
  }
  if (others.some((p) => p.name === name)) return `Another parameter is already named "${name}"`;
  return null;
}

/** Why a declaration's default does not fit its type (the same message a run would give), or null. */
export function defaultProblem(decl: ParameterDeclaration): string | null {
  if (decl.default === undefined) return null;
  try {
    coerceParameterValue(decl, decl.default);
    return null;
  } catch (error) {
    if (error instanceof AppError) return `Default: ${error.message}`;
    throw error;
  }
}

export interface ParameterIssue {
  /** Index of the declaration. */
  index: number;
  field: 'name' | 'default';
  message: string;
}

/** Every problem in the declarations, for the panel (and a test that a saved list is sound). */
export function parameterIssues(parameters: readonly ParameterDeclaration[]): ParameterIssue[] {
  const issues: ParameterIssue[] = [];
  parameters.forEach((p, index) => {
    const duplicate = parameters.slice(0, index).some((q) => q.name === p.name);
    const name = duplicate ? `Parameter "${p.name}" is declared twice` : parameterNameProblem(p.name, []);
    if (name) issues.push({ index, field: 'name', message: name });
    const fault = defaultProblem(p);
    if (fault) issues.push({ index, field: 'default', message: fault });
  });
  return issues;
}

/**
 * The default to store for what a form input holds: empty means none (the
 * parameter becomes required); numbers and booleans are stored typed when the
 * text reads as one, else as typed, so the problem is shown rather than lost.
 */
export function defaultFromInput(type: ParameterType, text: string): ParameterDeclaration['default'] {
  if (type === 'string' ? text === '' : text.trim() === '') return undefined;
  if (type === 'integer' || type === 'float' || type === 'boolean') {
    try {
      return coerceParameterValue({ name: '', type }, text);
    } catch {
      return text;
    }
  }
  return text;
}

/** What a form input shows for a stored default. */
export const defaultToInput = (value: ParameterDeclaration['default']): string => (value === undefined ? '' : String(value));

/**
 * Changes a declaration's type. The default is kept when it reads as the new
 * type (converted: "5" becomes 5 for a number) and kept as it was otherwise,
 * so its problem is shown instead of the value vanishing.
 */
export function changeParameterType(decl: ParameterDeclaration, type: ParameterType): ParameterDeclaration {
  const next: ParameterDeclaration = { ...decl, type };
  if (decl.default === undefined) return next;
  try {
    const value = coerceParameterValue(next, decl.default);
    next.default = type === 'timestamp' ? decl.default : value;
  } catch {
    // keep it: defaultProblem reports it
  }
  return next;
}

function renamed(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (whole, name: string) => (name === from ? `{{params.${to}}}` : whole));
  if (Array.isArray(value)) {
    const items = value.map((v: unknown) => renamed(v, from, to));
    return items.every((v, i) => v === value[i]) ? value : items;
  }
  if (typeof value === 'object' && value !== null) return renameParameterReferences(value as Record<string, unknown>, from, to);
  return value;
}

/** Replaces {{params.from}} (any spacing) with {{params.to}} in every string of a config; the same object when nothing changed. */
export function renameParameterReferences(config: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const entries = Object.entries(config).map(([key, value]) => [key, renamed(value, from, to)] as const);
  return entries.some(([key, value]) => value !== config[key]) ? Object.fromEntries(entries) : config;
}

export interface ParameterUsage {
  nodeId: string;
  /** The node's label, else its kind's label. */
  nodeLabel: string;
  /** The config path, e.g. "rules.0.value". */
  field: string;
  /** Where placeholders cannot go (JavaScript code): a run would refuse it. */
  refused: boolean;
}

export interface UsageReport {
  /** Per declared name, the fields that use it. */
  byName: Map<string, ParameterUsage[]>;
  /** Placeholders naming no declared parameter: a run would refuse them. */
  undeclared: (ParameterUsage & { name: string })[];
}

/** Where node settings use each parameter as {{params.name}}. */
export function parameterUsages(
  nodes: readonly { id: string; kind: string; config: Record<string, unknown>; label: string }[],
  parameters: readonly ParameterDeclaration[],
): UsageReport {
  const labels = new Map(nodes.map((n) => [n.id, n.label]));
  const byName = new Map<string, ParameterUsage[]>(parameters.map((p) => [p.name, []]));
  const undeclared: UsageReport['undeclared'] = [];
  const seen = new Set<string>();
  for (const ref of parameterReferences({ nodes })) {
    const usage: ParameterUsage = { nodeId: ref.nodeId, nodeLabel: labels.get(ref.nodeId) ?? ref.nodeId, field: pathKey(ref.path), refused: ref.field === 'javascript' };
    const key = `${ref.name}\u0000${ref.nodeId}\u0000${usage.field}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byName.get(ref.name);
    if (list) list.push(usage);
    else undeclared.push({ ...usage, name: ref.name });
  }
  return { byName, undeclared };
}
