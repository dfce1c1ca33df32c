'use client';
// Monaco touches `window` when it loads, so it is imported only in the browser
// and only when a form shows an editor; until then a placeholder holds its place.
import dynamic from 'next/dynamic';
import type { CodeEditorProps } from './code-editor';

export type { CodeEditorProps } from './code-editor';

export const LazyCodeEditor = dynamic<CodeEditorProps>(() => import('./code-editor'), {
  ssr: false,
  loading: () => (
    <div className="flex h-11 items-center rounded border border-neutral-700 px-2 text-xs text-neutral-500" data-testid="code-editor-loading">
      Loading editor…
    </div>
  ),
});
