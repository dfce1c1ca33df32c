'use client';
import { useEffect, useId, useRef } from 'react';
import { buttonClass, iconButtonClass } from '@/components/ui/styles';
import { addItem, moveItem, readItems, removeItem, updateItem } from './list-values';
import { ScalarControl } from './scalar-control';
import { issueAt, issueExactlyAt, issuesAt, midSentence, type FieldOf, type WidgetProps } from './widget-types';

/**
 * An ordered list of objects (sort keys, renames, aggregates…), one card per
 * item whose fields use the same scalar controls as top-level fields. Controls
 * are named "<Item label> <n> <field label>", e.g. "Sort key 1 column".
 */
export function ListWidget({ field, nodeId, value, onChange, describedBy, issues }: WidgetProps<FieldOf<'list'>>) {
  const idPrefix = useId();
  const items = readItems(value);
  const noun = midSentence(field.itemLabel);
  const firstKey = field.itemFields[0]?.key;

  // Ids to try focusing, in order, once the change is rendered (focus follows a moved item; removal lands on a neighbour).
  const focusNext = useRef<string[] | null>(null);
  useEffect(() => {
    const candidates = focusNext.current;
    if (!candidates) return;
    focusNext.current = null;
    for (const id of candidates) {
      const element = document.getElementById(id);
      if (element && !element.matches(':disabled')) {
        element.focus();
        return;
      }
    }
  }, [value]);

  const buttonId = (index: number, action: 'up' | 'down' | 'remove') => `${idPrefix}-${index}-${action}`;
  const controlId = (index: number, key: string) => `${idPrefix}-${index}-${key}`;
  const addId = `${idPrefix}-add`;

  const add = () => {
    focusNext.current = firstKey === undefined ? [] : [controlId(items.length, firstKey)];
    onChange(addItem(items, field.newItem));
  };
  const remove = (index: number) => {
    focusNext.current = [buttonId(index, 'remove'), buttonId(index - 1, 'remove'), addId];
    onChange(removeItem(items, index));
  };
  const move = (index: number, direction: 'up' | 'down') => {
    const to = direction === 'up' ? index - 1 : index + 1;
    focusNext.current = [buttonId(to, direction), buttonId(to, direction === 'up' ? 'down' : 'up')];
    onChange(moveItem(items, index, to));
  };

  return (
    <fieldset className="space-y-1.5" aria-describedby={describedBy}>
      <legend className="mb-1 text-xs font-medium text-neutral-300">{field.label}</legend>
      {items.length === 0 ? <p className="text-xs text-neutral-500">None yet.</p> : null}
      {items.map((item, i) => {
        const n = i + 1;
        const headingId = `${idPrefix}-${i}-heading`;
        const itemInvalid = issueExactlyAt(issues, i);
        return (
          <div
            key={i}
            role="group"
            aria-labelledby={headingId}
            className={`space-y-1 rounded border bg-neutral-900/60 p-1.5 ${itemInvalid ? 'border-red-500/70' : 'border-neutral-800'}`}
            data-invalid={itemInvalid ? 'true' : undefined}
          >
            <div className="flex items-center gap-0.5">
              <span id={headingId} className="mr-auto text-[11px] font-medium text-neutral-400">
                {field.itemLabel} {n}
              </span>
              <button
                id={buttonId(i, 'up')}
                type="button"
                className={`${iconButtonClass} disabled:opacity-30`}
                onClick={() => move(i, 'up')}
                disabled={i === 0}
                aria-label={`Move ${noun} ${n} up`}
                title="Move up"
              >
                ↑
              </button>
              <button
                id={buttonId(i, 'down')}
                type="button"
                className={`${iconButtonClass} disabled:opacity-30`}
                onClick={() => move(i, 'down')}
                disabled={i === items.length - 1}
                aria-label={`Move ${noun} ${n} down`}
                title="Move down"
              >
                ↓
              </button>
              <button id={buttonId(i, 'remove')} type="button" className={iconButtonClass} onClick={() => remove(i)} aria-label={`Remove ${noun} ${n}`} title={`Remove ${noun}`}>
                ×
              </button>
            </div>
            <div className="grid grid-cols-2 gap-x-1.5 gap-y-1">
              {field.itemFields.map((itemField) => {
                const id = controlId(i, itemField.key);
                const helpId = itemField.help ? `${id}-help` : undefined;
                const wide = itemField.widget === 'expression' || field.itemFields.length === 1;
                return (
                  <div key={itemField.key} className={`min-w-0 space-y-0.5 ${wide ? 'col-span-2' : ''}`} title={itemField.help}>
                    <ScalarControl
                      spec={itemField}
                      nodeId={nodeId}
                      value={item[itemField.key]}
                      onChange={(next) => onChange(updateItem(items, i, itemField.key, next))}
                      id={id}
                      label={itemField.label}
                      ariaLabel={`${field.itemLabel} ${n} ${midSentence(itemField.label)}`}
                      describedBy={helpId}
                      invalid={issueAt(issues, i, itemField.key)}
                      issues={issuesAt(issues, i, itemField.key)}
                      compact
                    />
                    {helpId ? (
                      <span id={helpId} className="sr-only">
                        {itemField.help}
                      </span>
                    ) : null}
                  </div>
                );
              })}
            </div>
          </div>
        );
      })}
      <button id={addId} type="button" className={`${buttonClass.secondary} px-2 py-0.5 text-xs`} onClick={add}>
        {field.addLabel}
      </button>
    </fieldset>
  );
}
