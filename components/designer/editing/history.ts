// Undo/redo over document snapshots. The store hands in the document as it was
// before each edit; edits that share a coalescing key and follow each other
// quickly (one drag, one burst of typing in one field) become one undo step.

export const COALESCE_WINDOW_MS = 1000;
const DEFAULT_LIMIT = 200;

export interface History<T> {
  readonly past: readonly T[];
  readonly future: readonly T[];
  /** Key and time of the last recorded edit, for coalescing. */
  readonly lastKey: string | null;
  readonly lastAt: number;
}

export const emptyHistory = <T>(): History<T> => ({ past: [], future: [], lastKey: null, lastAt: 0 });

/**
 * Records that an edit is about to replace `before`. With a `key` equal to the
 * previous edit's, made within the window, the edit joins the previous step.
 */
export function recordEdit<T>(history: History<T>, before: T, key: string | null, now: number, limit = DEFAULT_LIMIT): History<T> {
  if (key !== null && key === history.lastKey && now - history.lastAt <= COALESCE_WINDOW_MS) {
    return { ...history, future: [], lastAt: now };
  }
  const past = [...history.past, before];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, future: [], lastKey: key, lastAt: now };
}

/** Ends the current coalescing run, so the next edit starts a new step even with the same key. */
export const breakCoalescing = <T>(history: History<T>): History<T> => (history.lastKey === null ? history : { ...history, lastKey: null });

/** Steps back: returns the document to show and the history holding `current` for redo; null when there is nothing to undo. */
export function undo<T>(history: History<T>, current: T): { history: History<T>; document: T } | null {
  const document = history.past.at(-1);
  if (document === undefined) return null;
  return { history: { past: history.past.slice(0, -1), future: [current, ...history.future], lastKey: null, lastAt: 0 }, document };
}

export function redo<T>(history: History<T>, current: T): { history: History<T>; document: T } | null {
  const [document, ...future] = history.future;
  if (document === undefined) return null;
  return { history: { past: [...history.past, current], future, lastKey: null, lastAt: 0 }, document };
}
