import { describe, expect, it } from 'vitest';
import { FilterConfig, MAX_GROUP_DEPTH } from '@/server/pipeline/nodes/filter';
import {
  addGroup,
  addRule,
  canNestGroupIn,
  configPathOf,
  groupAt,
  itemNumber,
  readConditionTree,
  removeItem,
  setCombinator,
  setNegated,
  treePatch,
  updateRule,
  type ConditionTree,
} from './condition-tree';

const rule = (column: string, op: 'eq' | 'gt' | 'is_null' = 'eq', value = '') => ({ column, op, value });

// amount > 1 AND (customer = x OR NOT (id is null))
const tree: ConditionTree = {
  combinator: 'and',
  not: false,
  rules: [rule('amount', 'gt', '1'), { type: 'group', combinator: 'or', not: false, rules: [rule('customer', 'eq', 'x'), { type: 'group', combinator: 'and', not: true, rules: [rule('id', 'is_null')] }] }],
};

describe('reading the tree from a draft config', () => {
  it('reads a flat rule list saved before groups existed as the top group', () => {
    expect(readConditionTree({ combinator: 'or', rules: [{ column: 'age', op: 'gte', value: '18' }] })).toEqual({ combinator: 'or', not: false, rules: [{ column: 'age', op: 'gte', value: '18' }] });
  });

  it('reads nested groups and what the compiler wrote back (type tags)', () => {
    expect(readConditionTree(treePatch(tree))).toEqual(tree);
    expect(readConditionTree({ rules: [{ type: 'rule', column: 'a', op: 'eq', value: '1' }] }).rules).toEqual([rule('a', 'eq', '1')]);
  });

  it('fills gaps without dropping items, so indices keep matching diagnostic paths', () => {
    expect(readConditionTree({ combinator: 'xor', not: 'yes', rules: [null, { column: 'x', op: 'drop table' }, { type: 'group', rules: 'nope' }] })).toEqual({
      combinator: 'and',
      not: false,
      rules: [rule(''), rule('x'), { type: 'group', combinator: 'and', not: false, rules: [] }],
    });
    expect(readConditionTree({})).toEqual({ combinator: 'and', not: false, rules: [] });
  });
});

describe('editing the tree', () => {
  it('updates one rule anywhere, leaving everything else as it was', () => {
    const next = updateRule(tree, [1, 1, 0], { op: 'eq', value: '7' });
    expect(groupAt(next, [1, 1])?.rules).toEqual([rule('id', 'eq', '7')]);
    expect(next.rules[0]).toBe(tree.rules[0]);
    expect(groupAt(tree, [1, 1])?.rules).toEqual([rule('id', 'is_null')]);
  });

  it('does not turn a group into a rule, and ignores paths that lead nowhere', () => {
    expect(updateRule(tree, [1], { column: 'x' })).toEqual(tree);
    expect(updateRule(tree, [0, 3], { column: 'x' })).toEqual(tree);
    expect(removeItem(tree, [7, 0])).toEqual(tree);
    expect(removeItem(tree, [])).toEqual(tree);
  });

  it('toggles AND/OR and NOT on the top group and on nested ones', () => {
    expect(setCombinator(tree, [], 'or').combinator).toBe('or');
    expect(groupAt(setCombinator(tree, [1, 1], 'or'), [1, 1])?.combinator).toBe('or');
    expect(setNegated(tree, [], true).not).toBe(true);
    expect(groupAt(setNegated(tree, [1, 1], false), [1, 1])?.not).toBe(false);
  });

  it('adds rules and groups at the end of a group, a new group holding one rule', () => {
    const withRule = addRule(tree, [1], rule('paid'));
    expect(groupAt(withRule, [1])?.rules.at(-1)).toEqual(rule('paid'));
    const withGroup = addGroup(tree, [], rule('amount'));
    expect(withGroup.rules.at(-1)).toEqual({ type: 'group', combinator: 'and', not: false, rules: [rule('amount')] });
  });

  it('removes an item, whether a rule or a whole group', () => {
    expect(removeItem(tree, [0]).rules).toEqual([tree.rules[1]]);
    expect(groupAt(removeItem(tree, [1, 1]), [1])?.rules).toEqual([rule('customer', 'eq', 'x')]);
  });

  it(`stops offering groups at the depth the config schema accepts (${MAX_GROUP_DEPTH})`, () => {
    let deep: ConditionTree = { combinator: 'and', not: false, rules: [] };
    const path: number[] = [];
    while (canNestGroupIn(path)) {
      deep = addGroup(deep, path, rule('id', 'is_null'));
      path.push(groupAt(deep, path)!.rules.length - 1);
    }
    expect(path).toHaveLength(MAX_GROUP_DEPTH - 1);
    expect(addGroup(deep, path, rule('id'))).toBe(deep);
    expect(FilterConfig.safeParse(treePatch(deep)).success).toBe(true);
  });

  it('writes a tree the config schema accepts, with the same shape', () => {
    const parsed = FilterConfig.parse(treePatch(tree));
    expect(parsed).toMatchObject({ mode: 'builder', combinator: 'and', not: false });
    expect(readConditionTree(parsed as unknown as Record<string, unknown>)).toEqual(tree);
  });
});

describe('naming and locating items', () => {
  it('numbers items by their path and maps it to the config path below the rules key', () => {
    expect(itemNumber([0])).toBe('1');
    expect(itemNumber([2, 0])).toBe('3.1');
    expect(configPathOf([0])).toEqual([0]);
    expect(configPathOf([2, 0, 1])).toEqual([2, 'rules', 0, 'rules', 1]);
  });
});
