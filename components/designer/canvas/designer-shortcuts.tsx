'use client';
// Keyboard shortcuts and clipboard events for the canvas. Keys typed into a
// field or an editor belong to it; everything else on the page drives the canvas.
import { useEffect, useRef } from 'react';
import { parseClipboard, serializeClipboard } from '../editing/clipboard';
import { commandFor, isTextEntryTarget, type ShortcutCommand } from '../editing/shortcuts';
import { useDesignerStoreApi } from '../store-context';
import { useCanvasCommands } from './use-canvas-commands';

/** Whether the user has selected text on the page, which a copy should copy instead of nodes. */
const hasTextSelection = () => (window.getSelection()?.toString() ?? '') !== '';

export function DesignerShortcuts({ onHelp, sheetOpen }: { onHelp: () => void; sheetOpen: boolean }) {
  const store = useDesignerStoreApi();
  const commands = useCanvasCommands();
  // Listeners are attached once; they read the latest commands through this ref.
  const latest = useRef({ commands, onHelp, sheetOpen });
  useEffect(() => {
    latest.current = { commands, onHelp, sheetOpen };
  });

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || isTextEntryTarget(event.target)) return;
      const { commands: c, onHelp: help, sheetOpen: open } = latest.current;
      if (open) return;
      const command = commandFor(event);
      if (!command) return;
      event.preventDefault();
      const actions: Record<ShortcutCommand, () => void> = {
        undo: c.undo,
        redo: c.redo,
        duplicate: c.duplicate,
        selectAll: c.selectAll,
        delete: c.deleteSelection,
        layout: () => void c.layout(),
        fitView: c.fitView,
        help,
        deselect: c.deselect,
      };
      actions[command]();
    }

    function onCopy(event: ClipboardEvent, cut: boolean) {
      if (isTextEntryTarget(event.target) || hasTextSelection() || !event.clipboardData) return;
      const payload = store.getState().copySelection();
      if (!payload) return;
      event.clipboardData.setData('text/plain', serializeClipboard(payload));
      event.preventDefault();
      if (cut) store.getState().deleteSelection();
    }

    function onPaste(event: ClipboardEvent) {
      if (isTextEntryTarget(event.target) || !event.clipboardData) return;
      const payload = parseClipboard(event.clipboardData.getData('text/plain'));
      if (!payload) return;
      event.preventDefault();
      store.getState().paste(payload);
    }

    const copy = (e: ClipboardEvent) => onCopy(e, false);
    const cut = (e: ClipboardEvent) => onCopy(e, true);
    window.addEventListener('keydown', onKeyDown);
    document.addEventListener('copy', copy);
    document.addEventListener('cut', cut);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('copy', copy);
      document.removeEventListener('cut', cut);
      document.removeEventListener('paste', onPaste);
    };
  }, [store]);

  return null;
}
