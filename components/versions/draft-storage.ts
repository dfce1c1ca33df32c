// Unsaved canvas drafts kept in the browser, one per pipeline and base
// version: a draft is only offered back on the version it was edited from,
// so recovering it can never silently overwrite someone else's save.
import { z } from 'zod';
import { VisualPipelineSchema, type VisualPipeline } from '@/server/pipeline/model';

const DraftSchema = z.object({ savedAt: z.string(), document: VisualPipelineSchema });
export type Draft = { savedAt: Date; document: VisualPipeline };

export const draftKey = (pipelineId: string, baseVersion: number): string => `sluice:draft:${pipelineId}:${baseVersion}`;

export function readDraft(storage: Storage, pipelineId: string, baseVersion: number): Draft | null {
  const raw = storage.getItem(draftKey(pipelineId, baseVersion));
  if (raw === null) return null;
  try {
    const parsed = DraftSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { savedAt: new Date(parsed.data.savedAt), document: parsed.data.document } : null;
  } catch {
    // A draft that is not JSON (another app, a half write) is not ours to recover.
    return null;
  }
}

export function writeDraft(storage: Storage, pipelineId: string, baseVersion: number, document: VisualPipeline, now = new Date()): void {
  try {
    storage.setItem(draftKey(pipelineId, baseVersion), JSON.stringify({ savedAt: now.toISOString(), document }));
  } catch {
    // Storage full or disabled: autosave is a convenience, the server save still works.
  }
}

/** Forgets every draft of the pipeline, whatever version it was based on. */
export function clearDrafts(storage: Storage, pipelineId: string): void {
  const prefix = `sluice:draft:${pipelineId}:`;
  const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((k): k is string => k?.startsWith(prefix) ?? false);
  for (const key of keys) storage.removeItem(key);
}
