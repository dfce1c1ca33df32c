'use client';
import { useRef } from 'react';
import { useConnectedInputs } from '../compile-context';
import { LazyCodeEditor } from '../monaco/lazy-code-editor';
import type { monaco } from '../monaco/monaco-setup';
import { readString } from './config-values';
import { ControlLabel } from './control-label';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

const noIssues: never[] = [];

/** Source code (SQL or JavaScript) in an editor that completes the connected inputs' columns and marks the compiler's problems. */
export function CodeControl({ spec, nodeId, value, onChange, id, label, ariaLabel, describedBy, invalid, compact, issues }: ScalarControlProps<ScalarSpecOf<'code'>>) {
  const inputs = useConnectedInputs(nodeId);
  const extension = spec.language === 'sql' ? 'sql' : 'js';
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact} onClick={() => editor.current?.focus()}>
        {label}
      </ControlLabel>
      <div id={id} data-field-control="code">
        <LazyCodeEditor
          modelPath={`inmemory://sluice/${encodeURIComponent(nodeId)}/${encodeURIComponent(id)}.${extension}`}
          value={readString(value)}
          onChange={onChange}
          language={spec.language}
          columns={inputs.columns}
          // SQL reads its inputs as relations named after their ports (input_1, …).
          tables={spec.language === 'sql' ? inputs.ports : undefined}
          issues={issues ?? noIssues}
          ariaLabel={ariaLabel ?? label}
          describedBy={describedBy}
          invalid={invalid}
          variant="code"
          onEditor={(instance) => {
            editor.current = instance;
          }}
        />
      </div>
    </>
  );
}

export function CodeWidget(props: WidgetProps<FieldOf<'code'>>) {
  return <CodeControl {...fieldControlProps(props)} />;
}
