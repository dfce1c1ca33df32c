'use client';
import { useId } from 'react';
import { checkboxClass } from '@/components/ui/styles';
import { useInputColumns } from '../compile-context';
import { readStringList } from './config-values';
import { issueAt, type FieldOf, type WidgetProps } from './widget-types';

/**
 * Checkboxes over the input port's columns. Checked columns are kept in the
 * order they were chosen and listed first; a chosen column the input no longer
 * has stays listed (flagged) so it can be unchecked.
 */
export function ColumnListWidget({ field, nodeId, value, onChange, describedBy, issues }: WidgetProps<FieldOf<'columnList'>>) {
  const idPrefix = useId();
  const available = useInputColumns(nodeId, field.port);
  const chosen = readStringList(value);
  const typeOf = new Map(available.map((c) => [c.name, c.type]));
  const rows = [...chosen, ...available.map((c) => c.name).filter((name) => !chosen.includes(name))];

  const toggle = (name: string, checked: boolean) => onChange(checked ? [...chosen, name] : chosen.filter((c) => c !== name));

  return (
    <fieldset className="space-y-1" aria-describedby={describedBy}>
      <legend className="mb-1 text-xs font-medium text-neutral-300">{field.label}</legend>
      {rows.length === 0 ? <p className="text-xs text-neutral-500">Connect an input with columns to choose from.</p> : null}
      <ul className="space-y-0.5">
        {rows.map((name, row) => {
          const position = chosen.indexOf(name);
          const missing = !typeOf.has(name);
          const id = `${idPrefix}-${row}`;
          return (
            <li key={name} className="flex items-center gap-2 text-sm">
              <input
                id={id}
                type="checkbox"
                className={checkboxClass}
                checked={position >= 0}
                onChange={(e) => toggle(name, e.target.checked)}
                aria-invalid={position >= 0 && issueAt(issues, position)}
              />
              <label htmlFor={id} className={missing ? 'text-red-300 line-through' : 'text-neutral-200'}>
                {name}
              </label>
              <span className="ml-auto text-xs text-neutral-500">{missing ? 'not in input' : typeOf.get(name)}</span>
              {position >= 0 ? <span className="w-4 text-right text-xs tabular-nums text-sky-400">{position + 1}</span> : <span className="w-4" />}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
