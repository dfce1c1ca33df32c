import { describe, expect, it } from 'vitest';
import { commandFor, shortcutSheet, type KeyPress } from './shortcuts';

const press = (key: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('designer shortcuts', () => {
  it('maps undo and redo with Ctrl or Cmd', () => {
    expect(commandFor(press('z', { ctrlKey: true }))).toBe('undo');
    expect(commandFor(press('z', { metaKey: true }))).toBe('undo');
    expect(commandFor(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(commandFor(press('z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(commandFor(press('y', { ctrlKey: true }))).toBe('redo');
  });

  it('maps the canvas commands and leaves other keys alone', () => {
    expect(commandFor(press('d', { ctrlKey: true }))).toBe('duplicate');
    expect(commandFor(press('a', { metaKey: true }))).toBe('selectAll');
    expect(commandFor(press('Delete'))).toBe('delete');
    expect(commandFor(press('Backspace'))).toBe('delete');
    expect(commandFor(press('?', { shiftKey: true }))).toBe('help');
    expect(commandFor(press('L', { shiftKey: true }))).toBe('layout');
    expect(commandFor(press('f'))).toBe('fitView');
    expect(commandFor(press('Escape'))).toBe('deselect');
    expect(commandFor(press('l'))).toBeNull();
    expect(commandFor(press('s', { ctrlKey: true }))).toBeNull();
    expect(commandFor(press('z', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(commandFor(press('c', { ctrlKey: true }))).toBeNull();
  });

  it('writes key names for the platform', () => {
    expect(shortcutSheet(true)[0]).toEqual({ keys: ['⌘+Z'], action: 'Undo' });
    expect(shortcutSheet(false)[1]).toEqual({ keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], action: 'Redo' });
  });
});
