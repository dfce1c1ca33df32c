'use client';
import { useDesignerStore } from '../store-context';

export function SaveIndicator({ savedVersion, saving }: { savedVersion: number; saving: boolean }) {
  const dirty = useDesignerStore((s) => s.dirty);
  const text = saving ? 'Saving…' : dirty ? 'Unsaved changes' : savedVersion > 0 ? `Saved v${savedVersion}` : 'Not saved yet';
  return (
    <span
      role="status"
      data-testid="save-status"
      data-dirty={dirty ? 'true' : 'false'}
      className={`flex items-center gap-1.5 text-xs ${dirty ? 'text-amber-300' : 'text-neutral-400'}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${dirty ? 'bg-amber-400' : 'bg-emerald-500'}`} />
      {text}
    </span>
  );
}
