// Light or dark: the user's stored choice, else the system's preference. The
// root element carries the `dark` class (Tailwind's dark variant keys off it).

export type Theme = 'light' | 'dark';
export const THEME_STORAGE_KEY = 'sluice.theme';

export const parseStoredTheme = (value: string | null): Theme | null => (value === 'light' || value === 'dark' ? value : null);

export function resolveTheme(stored: string | null, prefersDark: boolean): Theme {
  return parseStoredTheme(stored) ?? (prefersDark ? 'dark' : 'light');
}

/**
 * Runs in a <script> before the page paints, so a light-theme user never sees
 * a dark flash. Kept as a string built from the same key as the toggle.
 */
export const themeBootScript = `(function(){try{var s=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});var d=s==='dark'||(s!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);document.documentElement.style.colorScheme=d?'dark':'light';}catch(e){document.documentElement.classList.add('dark');}})();`;
