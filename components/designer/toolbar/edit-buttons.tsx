'use client';
import { iconButtonClass } from '@/components/ui/styles';
import { useCanvasCommands } from '../canvas/use-canvas-commands';
import { selectCanRedo, selectCanUndo } from '../store';
import { useDesignerStore } from '../store-context';

const toolClass = `${iconButtonClass} h-7 w-auto min-w-7 px-1.5 text-sm disabled:opacity-40 disabled:hover:bg-transparent`;

/** Undo, redo, auto-layout and zoom to fit. */
export function EditButtons({ onShowShortcuts }: { onShowShortcuts: () => void }) {
  const canUndo = useDesignerStore(selectCanUndo);
  const canRedo = useDesignerStore(selectCanRedo);
  const commands = useCanvasCommands();
  return (
    <div role="group" aria-label="Edit" className="flex items-center gap-0.5">
      <button type="button" className={toolClass} onClick={commands.undo} disabled={!canUndo} aria-label="Undo" title="Undo (Ctrl+Z)">
        <span aria-hidden>↶</span>
      </button>
      <button type="button" className={toolClass} onClick={commands.redo} disabled={!canRedo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">
        <span aria-hidden>↷</span>
      </button>
      <button
        type="button"
        className={toolClass}
        onClick={() => void commands.layout()}
        disabled={commands.layingOut}
        aria-label="Auto-layout"
        title="Arrange left to right (Shift+L)"
      >
        <svg aria-hidden viewBox="0 0 16 16" className="size-4 fill-none stroke-current" strokeWidth="1.5">
          <rect x="1" y="6" width="4" height="4" rx="0.5" />
          <rect x="11" y="2" width="4" height="4" rx="0.5" />
          <rect x="11" y="10" width="4" height="4" rx="0.5" />
          <path d="M5 8h3m0 0V4h3M8 8v4h3" />
        </svg>
      </button>
      <button type="button" className={toolClass} onClick={commands.fitView} aria-label="Zoom to fit" title="Zoom to fit (F)">
        <svg aria-hidden viewBox="0 0 16 16" className="size-4 fill-none stroke-current" strokeWidth="1.5">
          <path d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4" />
        </svg>
      </button>
      <button type="button" className={toolClass} onClick={onShowShortcuts} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
        <span aria-hidden>?</span>
      </button>
    </div>
  );
}
