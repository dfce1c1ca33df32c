'use client';
import { useEffect, useId, useRef } from 'react';
import { iconButtonClass } from '@/components/ui/styles';
import { shortcutSheet } from '../editing/shortcuts';

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** The list of keyboard shortcuts, as a modal dialog. */
export function ShortcutSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself) closes it.
        if (e.target === e.currentTarget) onClose();
      }}
      className="m-auto w-[28rem] max-w-[calc(100vw-2rem)] rounded-lg border border-neutral-700 bg-neutral-900 p-0 text-neutral-100 shadow-2xl backdrop:bg-black/50"
      data-testid="shortcut-sheet"
    >
      <div className="flex items-center justify-between border-b border-neutral-800 px-4 py-2.5">
        <h2 id={titleId} className="text-sm font-semibold">
          Keyboard shortcuts
        </h2>
        <button type="button" className={iconButtonClass} onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {open ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 px-4 py-3 text-sm">
          {shortcutSheet(isMac()).map(({ keys, action }) => (
            <div key={action} className="contents">
              <dt className="flex flex-wrap gap-1">
                {keys.map((k) => (
                  <kbd key={k} className="rounded border border-neutral-700 bg-neutral-800 px-1.5 py-px font-mono text-[11px] text-neutral-200">
                    {k}
                  </kbd>
                ))}
              </dt>
              <dd className="text-neutral-300">{action}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </dialog>
  );
}
