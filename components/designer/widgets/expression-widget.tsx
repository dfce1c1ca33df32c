'use client';
import { useRef } from 'react';
import { useInputColumns } from '../compile-context';
import { LazyCodeEditor } from '../monaco/lazy-code-editor';
import type { monaco } from '../monaco/monaco-setup';
import { readString } from './config-values';
import { ControlLabel } from './control-label';
import { insertToken, quoteIdentifier } from './expression-text';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

type StandaloneEditor = monaco.editor.IStandaloneCodeEditor;

const noIssues: never[] = [];

/**
 * A DuckDB SQL expression over the input port's columns: a SQL editor that
 * completes column names and marks the compiler's problems, with the columns
 * also as chips that insert a quoted identifier at the caret.
 */
export function ExpressionControl({ spec, nodeId, value, onChange, id, label, ariaLabel, describedBy, invalid, compact, issues }: ScalarControlProps<ScalarSpecOf<'expression'>>) {
  const columns = useInputColumns(nodeId, spec.port);
  const text = readString(value);
  const editor = useRef<StandaloneEditor | null>(null);
  /** Until the editor has had focus, chips append instead of inserting at its start. */
  const focused = useRef(false);

  const onEditor = (instance: StandaloneEditor | null) => {
    editor.current = instance;
    instance?.onDidFocusEditorText(() => {
      focused.current = true;
    });
  };

  const insertColumn = (name: string) => {
    const instance = editor.current;
    const model = instance?.getModel();
    if (!instance || !model) {
      onChange(insertToken(text, text.length, text.length, quoteIdentifier(name)).text);
      return;
    }
    const current = model.getValue();
    const selection = instance.getSelection();
    const [start, end] =
      focused.current && selection ? [model.getOffsetAt(selection.getStartPosition()), model.getOffsetAt(selection.getEndPosition())] : [current.length, current.length];
    const next = insertToken(current, start, end, quoteIdentifier(name));
    const inserted = next.text.slice(start, next.text.length - (current.length - end));
    const from = model.getPositionAt(start);
    const to = model.getPositionAt(end);
    instance.executeEdits('column-chip', [{ range: { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column }, text: inserted, forceMoveMarkers: true }]);
    const caret = model.getPositionAt(next.caret);
    instance.setSelection({ startLineNumber: caret.lineNumber, startColumn: caret.column, endLineNumber: caret.lineNumber, endColumn: caret.column });
    instance.focus();
  };

  const name = ariaLabel ?? label;
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact} onClick={() => editor.current?.focus()}>
        {label}
      </ControlLabel>
      <div id={id} data-field-control="expression">
        <LazyCodeEditor
          modelPath={`inmemory://sluice/${encodeURIComponent(nodeId)}/${encodeURIComponent(id)}.sql`}
          value={text}
          onChange={onChange}
          language="sql"
          columns={columns}
          issues={issues ?? noIssues}
          ariaLabel={name}
          describedBy={describedBy}
          invalid={invalid}
          placeholder={spec.placeholder}
          variant="expression"
          onEditor={onEditor}
        />
      </div>
      {columns.length === 0 ? (
        <p className="text-[11px] text-neutral-500">Connect an input to see its columns.</p>
      ) : (
        <div role="group" aria-label={`Columns for ${name}`} className="flex max-h-20 flex-wrap gap-1 overflow-y-auto pt-0.5">
          {columns.map((c) => (
            <button
              key={c.name}
              type="button"
              className="rounded border border-neutral-700 bg-neutral-800 px-1.5 py-px font-mono text-[11px] text-neutral-300 hover:border-sky-600 hover:text-neutral-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none"
              // Keep focus (and so the caret) in the editor when clicked with a mouse.
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
