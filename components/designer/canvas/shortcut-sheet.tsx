'use client';
import { ModalDialog } from '@/components/ui/modal-dialog';
import { shortcutSheet } from '../editing/shortcuts';

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** The list of keyboard shortcuts, as a modal dialog. */
export function ShortcutSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <ModalDialog open={open} title="Keyboard shortcuts" onClose={onClose} width="w-[28rem]" testId="shortcut-sheet" closeOnBackdrop>
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
    </ModalDialog>
  );
}
