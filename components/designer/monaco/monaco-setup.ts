// Monaco from our own bundle, never a CDN: the editor core, its standard
// features and the SQL and JavaScript grammars, with the editor worker built
// by Next. Imported only on the client, through code-editor.tsx.
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
// What monaco's editor.main adds to the feature set above.
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/editor/contrib/caretOperations/browser/caretOperations';
import 'monaco-editor/editor/contrib/find/browser/findController';
import 'monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/common/standaloneStrings';
import 'monaco-editor/languages/definitions/sql/register';
import 'monaco-editor/languages/definitions/javascript/register';
import { completionEntries, type CompletionSource } from './completions';

self.MonacoEnvironment = {
  getWorker: () => new Worker(new URL('./editor.worker.ts', import.meta.url), { type: 'module', name: 'monaco-editor' }),
};

loader.config({ monaco });

/** What each open editor may complete, by its model's URI. */
const sources = new Map<string, CompletionSource>();

export function setCompletionSource(model: monaco.editor.ITextModel, source: CompletionSource): void {
  sources.set(model.uri.toString(), source);
}

export function clearCompletionSource(model: monaco.editor.ITextModel): void {
  sources.delete(model.uri.toString());
}

for (const language of ['sql', 'javascript'] as const) {
  monaco.languages.registerCompletionItemProvider(language, {
    provideCompletionItems(model, position) {
      const source = sources.get(model.uri.toString());
      if (!source) return { suggestions: [] };
      const word = model.getWordUntilPosition(position);
      const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      return {
        suggestions: completionEntries(source).map((entry, index) => ({
          label: { label: entry.label, description: entry.detail },
          kind: entry.kind === 'table' ? monaco.languages.CompletionItemKind.Struct : monaco.languages.CompletionItemKind.Field,
          insertText: entry.insertText,
          detail: entry.kind === 'table' ? 'input' : `column · ${entry.detail}`,
          // Columns first, in schema order, ahead of words from the text.
          sortText: String(index).padStart(5, '0'),
          range,
        })),
      };
    },
  });
}

export { monaco };
