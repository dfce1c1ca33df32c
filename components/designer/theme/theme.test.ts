import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseStoredTheme, resolveTheme, themeBootScript, THEME_STORAGE_KEY } from './theme';

describe('theme', () => {
  it('prefers a stored choice, else the system preference', () => {
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
    expect(resolveTheme(null, true)).toBe('dark');
    expect(resolveTheme('purple', false)).toBe('light');
    expect(parseStoredTheme('')).toBeNull();
  });

  it('boots from the same storage key', () => {
    expect(themeBootScript).toContain(JSON.stringify(THEME_STORAGE_KEY));
    // It must parse as a script.
    expect(() => new Script(themeBootScript)).not.toThrow();
  });
});
