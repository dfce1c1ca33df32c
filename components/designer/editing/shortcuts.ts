// The designer's keyboard shortcuts: which key press means which command, and
// the sheet that lists them (press ?). Copy, cut and paste go through the
// browser's clipboard events instead, so they are listed here but not matched.

export type ShortcutCommand = 'undo' | 'redo' | 'duplicate' | 'selectAll' | 'delete' | 'layout' | 'fitView' | 'help' | 'deselect';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The command for a key press on the canvas, or null. Ctrl and Cmd are interchangeable. */
export function commandFor(press: KeyPress): ShortcutCommand | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (press.altKey) return null;
  if (mod) {
    if (key === 'z') return press.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !press.shiftKey) return 'redo';
    if (key === 'd' && !press.shiftKey) return 'duplicate';
    if (key === 'a' && !press.shiftKey) return 'selectAll';
    return null;
  }
  if (key === 'Delete' || key === 'Backspace') return 'delete';
  if (key === '?') return 'help';
  if (key === 'Escape') return 'deselect';
  if (key === 'l' && press.shiftKey) return 'layout';
  if (key === 'f' && !press.shiftKey) return 'fitView';
  return null;
}

export interface ShortcutDescription {
  keys: string[];
  action: string;
}

/** Key names as this platform writes them. */
export function shortcutSheet(isMac: boolean): ShortcutDescription[] {
  const mod = isMac ? '⌘' : 'Ctrl';
  return [
    { keys: [`${mod}+Z`], action: 'Undo' },
    { keys: [`${mod}+Shift+Z`, ...(isMac ? [] : ['Ctrl+Y'])], action: 'Redo' },
    { keys: [`${mod}+C`], action: 'Copy selected nodes' },
    { keys: [`${mod}+X`], action: 'Cut selected nodes' },
    { keys: [`${mod}+V`], action: 'Paste nodes (also from another pipeline)' },
    { keys: [`${mod}+D`], action: 'Duplicate selected nodes' },
    { keys: [`${mod}+A`], action: 'Select all' },
    { keys: ['Delete', 'Backspace'], action: 'Delete selected nodes and edges' },
    { keys: ['Shift+drag'], action: 'Select with a box' },
    { keys: [`${mod}+click`], action: 'Add to the selection' },
    { keys: ['Shift+L'], action: 'Auto-layout, left to right' },
    { keys: ['F'], action: 'Zoom to fit' },
    { keys: [`${mod}+S`], action: 'Save' },
    { keys: ['Esc'], action: 'Clear the selection, close this sheet' },
    { keys: ['?'], action: 'Show these shortcuts' },
  ];
}

/** Whether a key press belongs to a text field (or an editor) rather than the canvas. */
export function isTextEntryTarget(target: EventTarget | null): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  return target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], .monaco-editor') !== null;
}
