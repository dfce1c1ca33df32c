import type { DesignerStore } from '@/components/designer/store';
import { clearDrafts } from './draft-storage';

/**
 * Opens the pipeline's newest saved version: the canvas is thrown away on
 * purpose (the user chose theirs, or the newest version is already theirs),
 * so the unsaved-changes guard must not ask and no draft is offered back.
 */
export function reloadLatest(store: DesignerStore, pipelineId: string): void {
  store.getState().markSaved(store.getState().revision);
  clearDrafts(window.localStorage, pipelineId);
  window.location.reload();
}
