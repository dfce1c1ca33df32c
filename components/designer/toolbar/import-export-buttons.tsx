'use client';
import { useRef, useState } from 'react';
import { iconButtonClass } from '@/components/ui/styles';
import { exportFileName, exportPipeline, parseImportedPipeline } from '../editing/import-export';
import { selectDocument } from '../store';
import { useDesignerStoreApi } from '../store-context';

const toolClass = `${iconButtonClass} h-7 w-auto px-1.5 text-xs`;

/** Export downloads the pipeline document as JSON; import replaces the canvas with a checked document (undo brings the old one back). */
export function ImportExportButtons({ pipelineName }: { pipelineName: string }) {
  const store = useDesignerStoreApi();
  const fileInput = useRef<HTMLInputElement>(null);
  const [errors, setErrors] = useState<{ file: string; messages: string[] } | null>(null);

  function exportDocument() {
    const blob = new Blob([exportPipeline(selectDocument(store.getState()))], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(pipelineName);
    link.click();
    // The download has started once click() returns; the URL is no longer needed.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  async function importFile(file: File) {
    const result = parseImportedPipeline(await file.text());
    if (!result.ok) {
      setErrors({ file: file.name, messages: result.errors });
      return;
    }
    setErrors(null);
    store.getState().replaceDocument(result.document);
  }

  return (
    <div className="relative flex items-center gap-0.5">
      <button type="button" className={toolClass} onClick={() => fileInput.current?.click()} title="Replace this pipeline with one from a JSON file">
        Import
      </button>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        className="sr-only"
        tabIndex={-1}
        aria-label="Import pipeline file"
        data-testid="import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importFile(file);
        }}
      />
      <button type="button" className={toolClass} onClick={exportDocument} title="Download this pipeline as JSON">
        Export
      </button>
      {errors ? (
        <div
          role="alert"
          data-testid="import-error"
          className="absolute top-full right-0 z-20 mt-1 w-96 rounded border border-red-900 bg-red-950/95 p-2 text-xs text-red-200 shadow-lg"
        >
          <div className="mb-1 flex items-start justify-between gap-2">
            <p className="font-medium">Could not import {errors.file}:</p>
            <button type="button" className={iconButtonClass} onClick={() => setErrors(null)} aria-label="Dismiss import errors">
              ×
            </button>
          </div>
          <ul className="list-disc space-y-0.5 pl-4 font-mono break-words">
            {errors.messages.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
