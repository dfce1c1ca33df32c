// Editing helpers for the expression widget, kept free of React so they can be tested.

/** A DuckDB quoted identifier: `"name"`, with embedded double quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// Characters that would fuse with an inserted identifier: `"a""b"` is the one identifier a"b.
const fusesBefore = /[\p{L}\p{N}_"')\]]/u;
const fusesAfter = /[\p{L}\p{N}_"'(]/u;

/**
 * Replaces the selection [start, end) of `text` with `insertion`, adding a space
 * on either side where it would otherwise run into a neighbouring token.
 * Returns the new text and the caret position just after the insertion.
 */
export function insertToken(text: string, start: number, end: number, insertion: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, end, text.length));
  const to = Math.min(text.length, Math.max(start, end, from));
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = fusesBefore.test(before.slice(-1)) ? ' ' : '';
  const trail = fusesAfter.test(after.slice(0, 1)) ? ' ' : '';
  const inserted = `${lead}${insertion}${trail}`;
  return { text: before + inserted + after, caret: from + lead.length + insertion.length };
}
