'use client';
import { useLayoutEffect, useRef } from 'react';
import { inputClass } from '@/components/ui/styles';
import { useInputColumns } from '../compile-context';
import { readString } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import { insertToken, quoteIdentifier } from './expression-text';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

/**
 * A DuckDB SQL expression over the input port's columns: a monospace text area
 * (an editor with completion comes later) and the available columns as chips
 * that insert a quoted identifier at the caret.
 */
export function ExpressionControl({ spec, nodeId, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'expression'>>) {
  const columns = useInputColumns(nodeId, spec.port);
  const text = readString(value);
  const textarea = useRef<HTMLTextAreaElement>(null);
  /** Where the user last left the caret; null until the text area has had focus (then chips append). */
  const selection = useRef<{ start: number; end: number } | null>(null);
  const pendingCaret = useRef<number | null>(null);

  // Once the inserted text is rendered, put the caret after it and focus the text area again.
  useLayoutEffect(() => {
    const caret = pendingCaret.current;
    const element = textarea.current;
    if (caret === null || !element) return;
    pendingCaret.current = null;
    element.focus();
    element.setSelectionRange(caret, caret);
  }, [text]);

  const rememberSelection = () => {
    const element = textarea.current;
    if (element) selection.current = { start: element.selectionStart, end: element.selectionEnd };
  };

  const insertColumn = (name: string) => {
    const { start, end } = selection.current ?? { start: text.length, end: text.length };
    const next = insertToken(text, start, end, quoteIdentifier(name));
    selection.current = { start: next.caret, end: next.caret };
    pendingCaret.current = next.caret;
    onChange(next.text);
  };

  const name = ariaLabel ?? label;
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact}>
        {label}
      </ControlLabel>
      <textarea
        ref={textarea}
        id={id}
        rows={compact ? 2 : 3}
        className={`${inputClass}${compactClass(compact)} resize-y font-mono`}
        value={text}
        placeholder={spec.placeholder}
        onChange={(e) => {
          selection.current = { start: e.target.selectionStart, end: e.target.selectionEnd };
          onChange(e.target.value);
        }}
        onSelect={rememberSelection}
        onBlur={rememberSelection}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
      />
      {columns.length === 0 ? (
        <p className="text-[11px] text-neutral-500">Connect an input to see its columns.</p>
      ) : (
        <div role="group" aria-label={`Columns for ${name}`} className="flex max-h-20 flex-wrap gap-1 overflow-y-auto pt-0.5">
          {columns.map((c) => (
            <button
              key={c.name}
              type="button"
              className="rounded border border-neutral-700 bg-neutral-800 px-1.5 py-px font-mono text-[11px] text-neutral-300 hover:border-sky-600 hover:text-neutral-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none"
              // Keep focus (and so the caret) in the text area when clicked with a mouse.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => insertColumn(c.name)}
              aria-label={`Insert column ${c.name}`}
              title={`Insert ${quoteIdentifier(c.name)} (${c.type})`}
            >
              {c.name}
            </button>
          ))}
        </div>
      )}
    </>
  );
}

export function ExpressionWidget(props: WidgetProps<FieldOf<'expression'>>) {
  return <ExpressionControl {...fieldControlProps(props)} />;
}
