'use client';
import { useEffect, useState } from 'react';
import { selectDocument } from '@/components/designer/store';
import { useDesignerStoreApi } from '@/components/designer/store-context';
import { formatWhen } from '@/components/ui/format';
import { buttonClass } from '@/components/ui/styles';
import { clearDrafts, readDraft, writeDraft, type Draft } from './draft-storage';

const AUTOSAVE_DELAY_MS = 800;

/**
 * Keeps the unsaved canvas in localStorage (debounced) so a closed tab or a
 * crash loses nothing, and offers a draft left from an earlier visit back.
 */
export function DraftAutosave({ pipelineId, baseVersion }: { pipelineId: string; baseVersion: number }) {
  const store = useDesignerStoreApi();
  // Only a draft edited from the version now loaded is offered: older drafts would undo others' saves.
  const [offered, setOffered] = useState<Draft | null>(() => (typeof window === 'undefined' ? null : readDraft(window.localStorage, pipelineId, baseVersion)));

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = store.subscribe((state, previous) => {
      if (!state.dirty) {
        // Saved (or back to the saved state): the draft is no longer needed.
        if (previous.dirty) {
          clearTimeout(timer);
          clearDrafts(window.localStorage, pipelineId);
        }
        return;
      }
      if (state.revision === previous.revision) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const state = store.getState();
        if (state.dirty) writeDraft(window.localStorage, pipelineId, baseVersion, selectDocument(state));
      }, AUTOSAVE_DELAY_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, pipelineId, baseVersion]);

  if (!offered) return null;
  return (
    <div role="alert" data-testid="draft-recovery" className="fixed bottom-4 left-1/2 z-50 flex -translate-x-1/2 items-center gap-2 rounded border border-sky-800 bg-neutral-900 px-3 py-2 text-sm shadow-xl">
      <span>Unsaved changes from {formatWhen(offered.savedAt)} were kept in this browser.</span>
      <button
        type="button"
        className={buttonClass.primary}
        onClick={() => {
          store.getState().replaceDocument(offered.document);
          setOffered(null);
        }}
      >
        Recover
      </button>
      <button
        type="button"
        className={buttonClass.ghost}
        onClick={() => {
          clearDrafts(window.localStorage, pipelineId);
          setOffered(null);
        }}
      >
        Discard
      </button>
    </div>
  );
}
