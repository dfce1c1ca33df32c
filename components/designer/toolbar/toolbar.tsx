'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { ParameterDeclaration } from '@/server/pipeline/model';
import { buttonClass, iconButtonClass } from '@/components/ui/styles';
import { VersionsControls } from '@/components/versions/versions-controls';
import { RunParametersDialog } from '../pipeline/run-parameters-dialog';
import { useDesignerStoreApi } from '../store-context';
import { ThemeToggle } from '../theme/theme-toggle';
import { EditButtons } from './edit-buttons';
import { ImportExportButtons } from './import-export-buttons';
import { ProblemsButton } from './problems-button';
import { SaveIndicator } from './save-indicator';
import { usePipelineSave } from './use-pipeline-save';
import { useRunStarter } from './use-run-starter';

interface ToolbarProps {
  pipeline: { id: string; name: string; latestVersion: number };
  onShowShortcuts: () => void;
}

export function Toolbar({ pipeline, onShowShortcuts }: ToolbarProps) {
  const saver = usePipelineSave(pipeline.id, pipeline.latestVersion);
  const runner = useRunStarter(pipeline.id, saver);
  const { save, saving } = saver;
  const busy = saving || runner.starting;
  const store = useDesignerStoreApi();
  // The declarations the run dialog asks for; null while it is closed.
  const [asking, setAsking] = useState<readonly ParameterDeclaration[] | null>(null);
  const run = () => {
    const declared = store.getState().parameters ?? [];
    if (declared.length > 0) setAsking(declared);
    else void runner.start();
  };

  // Ctrl/Cmd+S saves instead of saving the web page.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void save();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [save]);

  const error = saver.error?.message ?? runner.error;
  const dismiss = () => {
    saver.clearError();
    runner.clearError();
  };

  return (
    <header className="flex min-h-11 items-center gap-3 border-b border-neutral-800 bg-neutral-900/60 px-3">
      <Link href="/" className="text-sm font-semibold tracking-wide text-sky-400 hover:text-sky-300" title="All pipelines">
        Sluice
      </Link>
      <span aria-hidden className="text-neutral-600">/</span>
      <h1 className="truncate text-sm font-medium" data-testid="pipeline-name">
        {pipeline.name}
      </h1>
      <SaveIndicator savedVersion={saver.savedVersion} saving={saving} />
      <EditButtons onShowShortcuts={onShowShortcuts} />
      <ImportExportButtons pipelineName={pipeline.name} />
      <VersionsControls pipelineId={pipeline.id} saver={saver} />
      <div className="ml-auto flex items-center gap-2">
        {error ? (
          <div role="alert" className="flex max-w-xl items-center gap-2 rounded border border-red-900 bg-red-950/70 px-2 py-0.5 text-xs text-red-200" data-testid="toolbar-error">
            <span>{error}</span>
            {saver.error?.conflict ? (
              <button type="button" className="underline hover:text-white" onClick={() => window.location.reload()}>
                Reload
              </button>
            ) : null}
            <button type="button" className={iconButtonClass} onClick={dismiss} aria-label="Dismiss error">
              ×
            </button>
          </div>
        ) : null}
        <ThemeToggle />
        <ProblemsButton />
        <button type="button" className={buttonClass.secondary} onClick={() => void save()} disabled={busy} title="Save a new version (Ctrl+S)">
          Save
        </button>
        <button type="button" className={buttonClass.primary} onClick={run} disabled={busy} title="Save if needed, then run the saved version (asking for parameter values if it has any)">
          <svg aria-hidden viewBox="0 0 12 12" className="size-3 fill-current">
            <path d="M3 1.5v9l7.5-4.5z" />
          </svg>
          Run
        </button>
      </div>
      <RunParametersDialog
        parameters={asking}
        onClose={() => setAsking(null)}
        onRun={(values) => {
          setAsking(null);
          void runner.start(values);
        }}
      />
    </header>
  );
}
