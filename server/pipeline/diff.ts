// What changed between two pipeline documents, node by node: the version
// history shows it, and a conflicting save shows it before the user decides.
// Pure: no I/O.
import { PipelineSettingsSchema, type ParameterDeclaration, type PipelineEdge, type PipelineNode, type PipelineSettings, type VisualPipeline } from './model';

export interface NodeSummary {
  id: string;
  kind: string;
  label?: string;
}

export interface ChangedNode extends NodeSummary {
  /** Config keys added, removed or given another value, sorted. */
  configKeys: string[];
  /** The kind's declaration version differs. */
  kindVersionChanged: boolean;
  /** Only cosmetic: label and canvas position do not change what a run does. */
  labelChanged: boolean;
  moved: boolean;
}

export interface EdgeSummary {
  id: string;
  source: string;
  target: string;
}

/** One pipeline setting whose value (its default where unset) differs. */
export interface SettingChange {
  key: keyof PipelineSettings;
  before: unknown;
  after: unknown;
}

/** A parameter declared in both documents whose declaration differs. */
export interface ParameterChange {
  name: string;
  /** The parts that differ, in declaration order. */
  fields: ('type' | 'default' | 'description')[];
}

export interface PipelineDiff {
  addedNodes: NodeSummary[];
  removedNodes: NodeSummary[];
  changedNodes: ChangedNode[];
  addedEdges: EdgeSummary[];
  removedEdges: EdgeSummary[];
  /** A pipeline-wide setting has another effective value (changedSettings is not empty). */
  settingsChanged: boolean;
  /** The parameter declarations differ (also when only their order does). */
  parametersChanged: boolean;
  /** Settings whose effective value differs: setting one to its default is no change. */
  changedSettings: SettingChange[];
  /** Parameters by name; a renamed one is removed under its old name and added under its new one. */
  addedParameters: string[];
  removedParameters: string[];
  changedParameters: ParameterChange[];
}

const summarizeNode = (node: PipelineNode): NodeSummary => (node.label === undefined ? { id: node.id, kind: node.kind } : { id: node.id, kind: node.kind, label: node.label });

const summarizeEdge = (edge: PipelineEdge): EdgeSummary => ({ id: edge.id, source: `${edge.source.node}.${edge.source.port}`, target: `${edge.target.node}.${edge.target.port}` });

/**
 * Structural equality of JSON values, ignoring object key order and undefined
 * members. (Not content-hash's canonicalJson: that module needs node:crypto,
 * and the designer runs this diff in the browser.)
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const defined = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined);
    const left = defined(a);
    const right = new Map(defined(b));
    return left.length === right.size && left.every(([k, v]) => right.has(k) && sameJson(v, right.get(k)));
  }
  return false;
}

const same = (a: unknown, b: unknown): boolean => sameJson(a ?? null, b ?? null);

function changedConfigKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !(key in before && key in after && same(before[key], after[key]))).sort();
}

const settingDefaults: PipelineSettings = PipelineSettingsSchema.parse({});

function changedSettings(before: VisualPipeline['settings'], after: VisualPipeline['settings']): SettingChange[] {
  const value = (settings: VisualPipeline['settings'], key: keyof PipelineSettings): unknown => (settings?.[key] === undefined ? settingDefaults[key] : settings[key]);
  return (Object.keys(settingDefaults) as (keyof PipelineSettings)[])
    .map((key) => ({ key, before: value(before, key), after: value(after, key) }))
    .filter((change) => !same(change.before, change.after));
}

function parameterChanges(before: readonly ParameterDeclaration[], after: readonly ParameterDeclaration[]) {
  const old = new Map(before.map((p) => [p.name, p]));
  const now = new Map(after.map((p) => [p.name, p]));
  const changed: ParameterChange[] = [];
  for (const p of after) {
    const was = old.get(p.name);
    if (!was) continue;
    const fields = (['type', 'default', 'description'] as const).filter((field) => !same(was[field], p[field]));
    if (fields.length > 0) changed.push({ name: p.name, fields });
  }
  return {
    addedParameters: after.filter((p) => !old.has(p.name)).map((p) => p.name),
    removedParameters: before.filter((p) => !now.has(p.name)).map((p) => p.name),
    changedParameters: changed,
  };
}

/**
 * Edges are compared by what they connect, not by id: deleting an edge and
 * drawing the same connection again is no change.
 */
const edgeKey = (edge: PipelineEdge): string => `${edge.source.node}\u0000${edge.source.port}\u0000${edge.target.node}\u0000${edge.target.port}`;

export function diffPipelines(before: VisualPipeline, after: VisualPipeline): PipelineDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));

  const changedNodes: ChangedNode[] = [];
  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    if (!old) continue;
    // A node whose kind changed under the same id is a different node.
    if (old.kind !== node.kind) continue;
    const change: ChangedNode = {
      ...summarizeNode(node),
      configKeys: changedConfigKeys(old.config, node.config),
      kindVersionChanged: old.version !== node.version,
      labelChanged: (old.label ?? '') !== (node.label ?? ''),
      moved: old.position.x !== node.position.x || old.position.y !== node.position.y,
    };
    if (change.configKeys.length > 0 || change.kindVersionChanged || change.labelChanged || change.moved) changedNodes.push(change);
  }
  const replaced = (id: string) => beforeNodes.get(id)?.kind !== afterNodes.get(id)?.kind;

  const beforeEdges = new Map(before.edges.map((e) => [edgeKey(e), e]));
  const afterEdges = new Map(after.edges.map((e) => [edgeKey(e), e]));

  const settings = changedSettings(before.settings, after.settings);
  return {
    addedNodes: after.nodes.filter((n) => !beforeNodes.has(n.id) || replaced(n.id)).map(summarizeNode),
    removedNodes: before.nodes.filter((n) => !afterNodes.has(n.id) || replaced(n.id)).map(summarizeNode),
    changedNodes,
    addedEdges: after.edges.filter((e) => !beforeEdges.has(edgeKey(e))).map(summarizeEdge),
    removedEdges: before.edges.filter((e) => !afterEdges.has(edgeKey(e))).map(summarizeEdge),
    settingsChanged: settings.length > 0,
    parametersChanged: !same(before.parameters ?? [], after.parameters ?? []),
    changedSettings: settings,
    ...parameterChanges(before.parameters ?? [], after.parameters ?? []),
  };
}

/** The diff changes nothing a run does: only labels and positions moved, if anything. */
export function isCosmeticOnly(diff: PipelineDiff): boolean {
  return (
    diff.addedNodes.length === 0 &&
    diff.removedNodes.length === 0 &&
    diff.addedEdges.length === 0 &&
    diff.removedEdges.length === 0 &&
    !diff.settingsChanged &&
    !diff.parametersChanged &&
    diff.changedNodes.every((n) => n.configKeys.length === 0 && !n.kindVersionChanged)
  );
}

export function isEmptyDiff(diff: PipelineDiff): boolean {
  return isCosmeticOnly(diff) && diff.changedNodes.length === 0;
}
