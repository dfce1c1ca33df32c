'use client';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { iconButtonClass } from './styles';

export interface ModalDialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  /** Tailwind width class, e.g. `w-[26rem]`. */
  width: string;
  testId: string;
  /** Whether a click on the backdrop closes it (not for a form that would lose what was typed). */
  closeOnBackdrop?: boolean;
  /** Rendered only while open, so it starts fresh each time. */
  children: ReactNode;
}

/**
 * A native modal <dialog> with a title bar and a close button: the browser
 * traps focus, closes it on Escape and restores focus to what opened it.
 */
export function ModalDialog({ open, title, onClose, width, testId, closeOnBackdrop = false, children }: ModalDialogProps) {
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
        // A click on the backdrop lands on the dialog element itself.
        if (closeOnBackdrop && e.target === e.currentTarget) onClose();
      }}
      className={`m-auto ${width} max-w-[calc(100vw-2rem)] rounded-lg border border-neutral-700 bg-neutral-900 p-0 text-neutral-100 shadow-2xl backdrop:bg-black/50`}
      data-testid={testId}
    >
      <div className="flex items-center justify-between border-b border-neutral-800 px-4 py-2.5">
        <h2 id={titleId} className="text-sm font-semibold">
          {title}
        </h2>
        <button type="button" className={iconButtonClass} onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {open ? children : null}
    </dialog>
  );
}
