'use client';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { Column } from '@/server/pipeline/types';
import { FilterOperators } from '@/server/pipeline/nodes/filter';
import { buttonClass, checkboxClass, iconButtonClass, inputClass, selectClass } from '@/components/ui/styles';
import { fieldDiagnostics } from '../compile-view';
import { useInputColumns, useNodeDiagnostics } from '../compile-context';
import {
  addGroup,
  addRule,
  canNestGroupIn,
  configPathOf,
  isGroup,
  itemNumber,
  readConditionTree,
  removeItem,
  setCombinator,
  setNegated,
  treePatch,
  updateRule,
  type ConditionTree,
  type TreePath,
} from './condition-tree';
import { isFilterOperator, readString, type ConditionRule } from './config-values';
import { ExpressionControl } from './expression-widget';
import { issueAt, issueExactlyAt, type FieldOf, type WidgetProps } from './widget-types';

const operators = Object.entries(FilterOperators);

const placeholderFor: Record<string, string> = {
  integer: 'e.g. 42',
  float: 'e.g. 3.14',
  boolean: 'true or false',
  date: 'YYYY-MM-DD',
  timestamp: 'YYYY-MM-DD HH:MM:SS',
};

const modes = [
  { value: 'builder', label: 'Rules' },
  { value: 'sql', label: 'SQL' },
] as const;

/** What the editors of one tree share. */
interface TreeContext {
  tree: ConditionTree;
  edit: (tree: ConditionTree) => void;
  columns: Column[];
  issues: readonly Diagnostic[];
}

const newRule = (columns: Column[]): ConditionRule => ({ column: columns[0]?.name ?? '', op: 'eq', value: '' });

/**
 * The filter's condition: a tree of rules (column, operator, value) and groups
 * (AND / OR, NOT) over the input port's columns, or, in SQL mode, one DuckDB
 * boolean expression. The config itself is the top group; see condition-tree.ts.
 */
export function ConditionsWidget(props: WidgetProps<FieldOf<'conditions'>>) {
  const columns = useInputColumns(props.nodeId, props.field.port);
  // The form shows this field's diagnostics (under `rules`); the SQL's are shown next to the text area.
  const sqlIssues = fieldDiagnostics(useNodeDiagnostics(props.nodeId), 'sql');
  return <ConditionsEditor {...props} columns={columns} sqlIssues={sqlIssues} />;
}

/** The widget with its compile results passed in. */
export function ConditionsEditor({
  field,
  nodeId,
  config,
  onMerge,
  inputId,
  describedBy,
  issues,
  columns,
  sqlIssues,
}: WidgetProps<FieldOf<'conditions'>> & { columns: Column[]; sqlIssues: readonly Diagnostic[] }) {
  const mode = config.mode === 'sql' ? 'sql' : 'builder';
  const tree = readConditionTree(config);
  const context: TreeContext = { tree, edit: (next) => onMerge(treePatch(next)), columns, issues };
  const sqlIssuesId = `${inputId}-sql-issues`;

  return (
    <fieldset className="space-y-1.5" aria-describedby={describedBy}>
      <legend className="mb-1 text-xs font-medium text-neutral-300">{field.label}</legend>
      <div role="radiogroup" aria-label="Condition mode" className="inline-flex overflow-hidden rounded border border-neutral-700 text-xs">
        {modes.map((m) => (
          <label
            key={m.value}
            className={`cursor-pointer px-2 py-0.5 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-sky-500 has-[:focus-visible]:ring-inset ${
              mode === m.value ? 'bg-neutral-700 text-neutral-100' : 'bg-neutral-900 text-neutral-400 hover:text-neutral-200'
            }`}
          >
            <input type="radio" className="sr-only" name={`${inputId}-mode`} value={m.value} checked={mode === m.value} onChange={() => onMerge({ mode: m.value })} />
            {m.label}
          </label>
        ))}
      </div>
      {mode === 'sql' ? (
        <div className="space-y-1">
          <ExpressionControl
            spec={{ widget: 'expression', port: field.port, placeholder: `"amount" > 10 AND NOT "paid"` }}
            nodeId={nodeId}
            value={readString(config.sql)}
            onChange={(sql) => onMerge({ sql: readString(sql) })}
            id={`${inputId}-sql`}
            label="SQL condition (DuckDB, true for the rows to keep)"
            describedBy={[describedBy, sqlIssues.length > 0 ? sqlIssuesId : undefined].filter(Boolean).join(' ') || undefined}
            invalid={sqlIssues.length > 0}
          />
          {sqlIssues.length > 0 ? (
            <ul id={sqlIssuesId} className="space-y-0.5">
              {sqlIssues.map((d, i) => (
                <li key={i} className={d.severity === 'error' ? 'text-xs text-red-300' : 'text-xs text-amber-300'}>
                  {d.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <GroupEditor context={context} path={[]} group={tree} />
      )}
    </fieldset>
  );
}

/** How a group is named in labels: the top group is "the conditions", a nested one "group 2.1". */
const groupName = (path: TreePath) => (path.length === 0 ? 'all conditions' : `group ${itemNumber(path)}`);

function GroupEditor({ context, path, group }: { context: TreeContext; path: TreePath; group: ConditionTree }) {
  const { tree, edit, columns, issues } = context;
  const nested = path.length > 0;
  const name = groupName(path);
  const configPath = configPathOf(path);
  // An empty or too deeply nested group is reported at the group (or its rule list), not at one of its rules.
  const invalid = nested && (issueExactlyAt(issues, ...configPath) || issueExactlyAt(issues, ...configPath, 'rules'));
  const forGroup = nested ? ` to ${name}` : '';

  return (
    <div
      role={nested ? 'group' : undefined}
      aria-label={nested ? `Group ${itemNumber(path)}` : undefined}
      data-invalid={invalid ? 'true' : undefined}
      className={nested ? 'space-y-1.5 rounded border border-neutral-800 bg-neutral-950/40 p-1.5 data-[invalid=true]:border-red-500' : 'space-y-1.5'}
    >
      <div className="flex items-center gap-1.5 text-xs text-neutral-400">
        <label className="flex items-center gap-1" title="Keep the rows this group does not match">
          <input
            type="checkbox"
            className={checkboxClass}
            checked={group.not}
            onChange={(e) => edit(setNegated(tree, path, e.target.checked))}
            aria-label={`Negate ${name} (NOT)`}
          />
          NOT
        </label>
        <select
          className={`${selectClass} w-auto py-0.5 text-xs`}
          value={group.combinator}
          onChange={(e) => edit(setCombinator(tree, path, e.target.value === 'or' ? 'or' : 'and'))}
          aria-label={nested ? `Group ${itemNumber(path)} combinator` : 'Combine conditions with'}
        >
          <option value="and">all of (AND)</option>
          <option value="or">any of (OR)</option>
        </select>
        {nested ? (
          <button type="button" className={`${iconButtonClass} ml-auto`} onClick={() => edit(removeItem(tree, path))} aria-label={`Remove ${name}`} title="Remove group">
            ×
          </button>
        ) : null}
      </div>

      {group.rules.length === 0 ? <p className="text-xs text-neutral-500">No conditions yet.</p> : null}
      {group.rules.map((item, i) => {
        const itemPath = [...path, i];
        return (
          <div key={i} className="space-y-1.5">
            {i > 0 ? (
              <div aria-hidden className="pl-1 text-[10px] tracking-wide text-neutral-500 uppercase">
                {group.combinator}
              </div>
            ) : null}
            {isGroup(item) ? <GroupEditor context={context} path={itemPath} group={item} /> : <RuleEditor context={context} path={itemPath} rule={item} />}
          </div>
        );
      })}

      <div className="flex gap-1">
        <button
          type="button"
          className={`${buttonClass.secondary} px-2 py-0.5 text-xs`}
          onClick={() => edit(addRule(tree, path, newRule(columns)))}
          aria-label={nested ? `Add condition${forGroup}` : undefined}
        >
          Add condition
        </button>
        <button
          type="button"
          className={`${buttonClass.secondary} px-2 py-0.5 text-xs`}
          onClick={() => edit(addGroup(tree, path, newRule(columns)))}
          disabled={!canNestGroupIn(path)}
          title={canNestGroupIn(path) ? undefined : 'Groups cannot be nested deeper'}
          aria-label={nested ? `Add group${forGroup}` : undefined}
        >
          Add group
        </button>
      </div>
    </div>
  );
}

function RuleEditor({ context, path, rule }: { context: TreeContext; path: TreePath; rule: ConditionRule }) {
  const { tree, edit, columns, issues } = context;
  const n = itemNumber(path);
  const at = configPathOf(path);
  const column = columns.find((c) => c.name === rule.column);
  const update = (patch: Partial<ConditionRule>) => edit(updateRule(tree, path, patch));

  return (
    <div className="grid grid-cols-[minmax(0,1fr)_4.75rem_minmax(0,1fr)_1.5rem] items-center gap-1">
      <select
        className={`${selectClass} text-xs`}
        value={rule.column}
        onChange={(e) => update({ column: e.target.value })}
        aria-label={`Condition ${n} column`}
        aria-invalid={issueAt(issues, ...at, 'column')}
      >
        {!column ? (
          <option value={rule.column} disabled>
            {rule.column === '' ? 'Column…' : `${rule.column} (missing)`}
          </option>
        ) : null}
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <select
        className={`${selectClass} text-xs`}
        value={rule.op}
        onChange={(e) => {
          if (isFilterOperator(e.target.value)) update({ op: e.target.value });
        }}
        aria-label={`Condition ${n} operator`}
        aria-invalid={issueAt(issues, ...at, 'op')}
      >
        {operators.map(([op, spec]) => (
          <option key={op} value={op}>
            {spec.label}
          </option>
        ))}
      </select>
      {FilterOperators[rule.op].needsValue ? (
        <input
          type="text"
          className={`${inputClass} text-xs`}
          value={rule.value}
          placeholder={(column && placeholderFor[column.type]) ?? 'value'}
          onChange={(e) => update({ value: e.target.value })}
          aria-label={`Condition ${n} value`}
          aria-invalid={issueAt(issues, ...at, 'value')}
          spellCheck={false}
        />
      ) : (
        <span />
      )}
      <button type="button" className={iconButtonClass} onClick={() => edit(removeItem(tree, path))} aria-label={`Remove condition ${n}`} title="Remove condition">
        ×
      </button>
    </div>
  );
}
