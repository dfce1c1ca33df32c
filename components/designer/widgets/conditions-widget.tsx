'use client';
import { FilterOperators } from '@/server/pipeline/nodes/filter';
import { buttonClass, iconButtonClass, inputClass, selectClass } from '@/components/ui/styles';
import { useInputColumns } from '../compile-context';
import { isFilterOperator, readRules, type ConditionRule } from './config-values';
import { issueAt, type FieldOf, type WidgetProps } from './widget-types';

const operators = Object.entries(FilterOperators);

const placeholderFor: Record<string, string> = {
  integer: 'e.g. 42',
  float: 'e.g. 3.14',
  boolean: 'true or false',
  date: 'YYYY-MM-DD',
  timestamp: 'YYYY-MM-DD HH:MM:SS',
};

/** Rows of [column, operator, value] over the input port's columns. */
export function ConditionsWidget({ field, nodeId, value, onChange, describedBy, issues }: WidgetProps<FieldOf<'conditions'>>) {
  const columns = useInputColumns(nodeId, field.port);
  const rules = readRules(value);
  const update = (index: number, patch: Partial<ConditionRule>) => onChange(rules.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  const remove = (index: number) => onChange(rules.filter((_, i) => i !== index));
  const add = () => onChange([...rules, { column: columns[0]?.name ?? '', op: 'eq', value: '' }]);

  return (
    <fieldset className="space-y-1.5" aria-describedby={describedBy}>
      <legend className="mb-1 text-xs font-medium text-neutral-300">{field.label}</legend>
      {rules.length === 0 ? <p className="text-xs text-neutral-500">No conditions yet.</p> : null}
      {rules.map((rule, i) => {
        const n = i + 1;
        const known = columns.some((c) => c.name === rule.column);
        const type = columns.find((c) => c.name === rule.column)?.type;
        return (
          <div key={i} className="grid grid-cols-[minmax(0,1fr)_4.75rem_minmax(0,1fr)_1.5rem] items-center gap-1">
            <select
              className={`${selectClass} text-xs`}
              value={rule.column}
              onChange={(e) => update(i, { column: e.target.value })}
              aria-label={`Condition ${n} column`}
              aria-invalid={issueAt(issues, i, 'column')}
            >
              {!known ? (
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
                if (isFilterOperator(e.target.value)) update(i, { op: e.target.value });
              }}
              aria-label={`Condition ${n} operator`}
              aria-invalid={issueAt(issues, i, 'op')}
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
                placeholder={(type && placeholderFor[type]) ?? 'value'}
                onChange={(e) => update(i, { value: e.target.value })}
                aria-label={`Condition ${n} value`}
                aria-invalid={issueAt(issues, i, 'value')}
                spellCheck={false}
              />
            ) : (
              <span />
            )}
            <button type="button" className={iconButtonClass} onClick={() => remove(i)} aria-label={`Remove condition ${n}`} title="Remove condition">
              ×
            </button>
          </div>
        );
      })}
      <button type="button" className={`${buttonClass.secondary} px-2 py-0.5 text-xs`} onClick={add}>
        Add condition
      </button>
    </fieldset>
  );
}
