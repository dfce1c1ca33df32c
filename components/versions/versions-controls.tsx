'use client';
import { useState } from 'react';
import type { PipelineSave } from '@/components/designer/toolbar/use-pipeline-save';
import { buttonClass } from '@/components/ui/styles';
import { ConflictWarning } from './conflict-warning';
import { DraftAutosave } from './draft-autosave';
import { VersionsPanel } from './versions-panel';

/** The toolbar's version history: the Versions button and panel, draft autosave, and the stale-save warning. */
export function VersionsControls({ pipelineId, saver }: { pipelineId: string; saver: PipelineSave }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={buttonClass.ghost} onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="versions-button">
        Versions
      </button>
      {open ? <VersionsPanel key={saver.savedVersion} pipelineId={pipelineId} baseVersion={saver.savedVersion} onClose={() => setOpen(false)} /> : null}
      <DraftAutosave pipelineId={pipelineId} baseVersion={saver.savedVersion} />
      {saver.error?.conflict ? <ConflictWarning pipelineId={pipelineId} baseVersion={saver.savedVersion} onDismiss={saver.clearError} /> : null}
    </>
  );
}
