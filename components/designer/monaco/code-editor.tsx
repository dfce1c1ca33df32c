'use client';
// The Monaco editor behind the expression and code widgets. Loaded only in the
// browser (see lazy-code-editor.tsx); Monaco itself comes from monaco-setup.ts.
import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useState } from 'react';
import type { Diagnostic } from '@/server/compiler/diagnostics';
import type { Column } from '@/server/pipeline/types';
import { useTheme } from '../theme/use-theme';
import { markersFor, type EditorLanguage } from './completions';
import { clearCompletionSource, monaco, setCompletionSource } from './monaco-setup';

type StandaloneEditor = monaco.editor.IStandaloneCodeEditor;

export interface CodeEditorProps {
  /** Unique per field, e.g. `<node>/columns/0/expression`; names the editor's model. */
  modelPath: string;
  value: string;
  onChange: (value: string) => void;
  language: EditorLanguage;
  columns: readonly Column[];
  tables?: readonly string[];
  issues: readonly Diagnostic[];
  ariaLabel: string;
  describedBy: string | undefined;
  invalid: boolean;
  placeholder?: string | undefined;
  /** An expression: a few wrapped lines, no line numbers. Otherwise a code editor. */
  variant: 'expression' | 'code';
  onEditor?: (editor: StandaloneEditor | null) => void;
}

const LINE_HEIGHT = 18;
const sizes = { expression: { min: 2, max: 8 }, code: { min: 8, max: 28 } };

export default function CodeEditor(props: CodeEditorProps) {
  const { modelPath, value, onChange, language, columns, tables, issues, ariaLabel, describedBy, invalid, placeholder, variant, onEditor } = props;
  const [theme] = useTheme();
  const [editor, setEditor] = useState<StandaloneEditor | null>(null);
  const [height, setHeight] = useState(sizes[variant].min * LINE_HEIGHT + 8);
  const onEditorRef = useRef(onEditor);
  useEffect(() => {
    onEditorRef.current = onEditor;
  });

  const onMount: OnMount = (mounted) => {
    setEditor(mounted);
    onEditorRef.current?.(mounted);
    const fit = () => {
      const { min, max } = sizes[variant];
      setHeight(Math.min(max * LINE_HEIGHT, Math.max(min * LINE_HEIGHT, mounted.getContentHeight())) + 8);
    };
    mounted.onDidContentSizeChange(fit);
    fit();
  };
  useEffect(() => () => onEditorRef.current?.(null), []);

  // Completion reads the node's current input columns through the model's URI.
  useEffect(() => {
    const model = editor?.getModel();
    if (!model) return;
    setCompletionSource(model, { language, columns, tables: tables ?? [] });
    return () => clearCompletionSource(model);
  }, [editor, language, columns, tables]);

  // The compiler's diagnostics for this field, as squiggles with hover messages.
  useEffect(() => {
    const model = editor?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      'sluice',
      markersFor(issues, value).map((m) => ({ ...m, severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning })),
    );
  }, [editor, issues, value]);

  // Monaco owns its input element; give it the field's state and description.
  useEffect(() => {
    const input = editor?.getDomNode()?.querySelector<HTMLElement>('.native-edit-context, textarea.inputarea');
    if (!input) return;
    input.setAttribute('aria-invalid', String(invalid));
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    else input.removeAttribute('aria-describedby');
  }, [editor, invalid, describedBy]);

  const expression = variant === 'expression';
  return (
    <div
      className={`overflow-hidden rounded border ${invalid ? 'border-red-500' : 'border-neutral-700'} focus-within:border-sky-500`}
      data-testid="code-editor"
      data-language={language}
      data-ready={editor ? 'true' : 'false'}
      style={{ height }}
    >
      <Editor
        path={modelPath}
        language={language}
        value={value}
        onChange={(next) => onChange(next ?? '')}
        onMount={onMount}
        theme={theme === 'dark' ? 'vs-dark' : 'light'}
        loading={<EditorPlaceholder />}
        options={{
          ariaLabel,
          placeholder,
          automaticLayout: true,
          fixedOverflowWidgets: true,
          minimap: { enabled: false },
          lineNumbers: expression ? 'off' : 'on',
          lineNumbersMinChars: 3,
          lineDecorationsWidth: expression ? 4 : 8,
          glyphMargin: false,
          folding: !expression,
          wordWrap: expression ? 'on' : 'off',
          scrollBeyondLastLine: false,
          renderLineHighlight: 'none',
          overviewRulerLanes: 0,
          hideCursorInOverviewRuler: true,
          scrollbar: { alwaysConsumeMouseWheel: false, verticalScrollbarSize: 8, horizontalScrollbarSize: 8 },
          fontSize: 12,
          lineHeight: LINE_HEIGHT,
          tabSize: 2,
          padding: { top: 4, bottom: 4 },
          suggest: { showWords: false },
          quickSuggestions: { other: true, comments: false, strings: false },
          contextmenu: false,
        }}
      />
    </div>
  );
}

function EditorPlaceholder() {
  return <span className="text-xs text-neutral-500">Loading editor…</span>;
}
