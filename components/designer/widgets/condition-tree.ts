// The filter's condition tree as the conditions widget edits it: read leniently
// from a draft config, changed by pure functions, written back as config keys.
// The config itself is the top group (combinator, not, rules); nested groups
// are items with `type: 'group'`. See server/pipeline/nodes/filter.ts.
import { MAX_GROUP_DEPTH } from '@/server/pipeline/nodes/filter';
import { isFilterOperator, isRecord, readString, type ConditionRule } from './config-values';

export type Combinator = 'and' | 'or';

export interface ConditionGroup {
  type: 'group';
  combinator: Combinator;
  not: boolean;
  rules: ConditionItem[];
}
export type ConditionItem = ConditionRule | ConditionGroup;

/** The top group: the config's own `combinator`, `not` and `rules`. */
export type ConditionTree = Omit<ConditionGroup, 'type'>;

/** Indices from the top group down to an item: [2, 0] is the first item of the third. [] is the top group. */
export type TreePath = readonly number[];

export const isGroup = (item: ConditionItem): item is ConditionGroup => 'type' in item;

function readGroup(value: Record<string, unknown>): ConditionTree {
  return {
    combinator: value.combinator === 'or' ? 'or' : 'and',
    not: value.not === true,
    // Anything unreadable becomes a blank rule rather than vanishing, so indices keep matching the diagnostics' paths.
    rules: Array.isArray(value.rules) ? value.rules.map(readItem) : [],
  };
}

function readItem(value: unknown): ConditionItem {
  if (!isRecord(value)) return { column: '', op: 'eq', value: '' };
  if (value.type === 'group') return { type: 'group', ...readGroup(value) };
  return { column: readString(value.column), op: isFilterOperator(value.op) ? value.op : 'eq', value: readString(value.value) };
}

/** The tree of a draft filter config; missing or malformed parts read as empty. */
export function readConditionTree(config: Readonly<Record<string, unknown>>): ConditionTree {
  return readGroup(config);
}

/** The config keys that store a tree. */
export function treePatch(tree: ConditionTree): Record<string, unknown> {
  return { combinator: tree.combinator, not: tree.not, rules: tree.rules };
}

export function groupAt(tree: ConditionTree, path: TreePath): ConditionTree | undefined {
  let group: ConditionTree = tree;
  for (const index of path) {
    const item = group.rules[index];
    if (!item || !isGroup(item)) return undefined;
    group = item;
  }
  return group;
}

/** Replaces the group at `path` with `change(group)`; a path that leads nowhere changes nothing. */
function changeGroup(tree: ConditionTree, path: TreePath, change: (group: ConditionTree) => ConditionTree): ConditionTree {
  const [index, ...rest] = path;
  if (index === undefined) return change(tree);
  const item = tree.rules[index];
  if (!item || !isGroup(item)) return tree;
  const changed = { ...changeGroup(item, rest, change), type: 'group' as const };
  return { ...tree, rules: tree.rules.map((r, i) => (i === index ? changed : r)) };
}

const parentOf = (path: TreePath): { parent: TreePath; index: number | undefined } => ({ parent: path.slice(0, -1), index: path.at(-1) });

export function updateRule(tree: ConditionTree, path: TreePath, patch: Partial<ConditionRule>): ConditionTree {
  const { parent, index } = parentOf(path);
  return changeGroup(tree, parent, (group) => ({
    ...group,
    rules: group.rules.map((item, i) => (i === index && !isGroup(item) ? { ...item, ...patch } : item)),
  }));
}

export function setCombinator(tree: ConditionTree, groupPath: TreePath, combinator: Combinator): ConditionTree {
  return changeGroup(tree, groupPath, (group) => ({ ...group, combinator }));
}

export function setNegated(tree: ConditionTree, groupPath: TreePath, not: boolean): ConditionTree {
  return changeGroup(tree, groupPath, (group) => ({ ...group, not }));
}

export function addRule(tree: ConditionTree, groupPath: TreePath, rule: ConditionRule): ConditionTree {
  return changeGroup(tree, groupPath, (group) => ({ ...group, rules: [...group.rules, rule] }));
}

/** Adds a group holding one rule (an empty group would only be an error to fix). */
export function addGroup(tree: ConditionTree, groupPath: TreePath, firstRule: ConditionRule): ConditionTree {
  if (!canNestGroupIn(groupPath)) return tree;
  const group: ConditionGroup = { type: 'group', combinator: 'and', not: false, rules: [firstRule] };
  return changeGroup(tree, groupPath, (parent) => ({ ...parent, rules: [...parent.rules, group] }));
}

export function removeItem(tree: ConditionTree, path: TreePath): ConditionTree {
  const { parent, index } = parentOf(path);
  if (index === undefined) return tree;
  return changeGroup(tree, parent, (group) => ({ ...group, rules: group.rules.filter((_, i) => i !== index) }));
}

/** Whether the group at `groupPath` may hold another group: the top group is depth 1. */
export function canNestGroupIn(groupPath: TreePath): boolean {
  return groupPath.length + 2 <= MAX_GROUP_DEPTH;
}

/** How the UI numbers an item: "3" at the top, "3.1" inside the third. */
export const itemNumber = (path: TreePath): string => path.map((i) => i + 1).join('.');

/** The config path of an item below the `rules` key: [2, 'rules', 0] for [2, 0]. */
export function configPathOf(path: TreePath): (string | number)[] {
  return path.flatMap((index, i) => (i === 0 ? [index] : ['rules', index]));
}
