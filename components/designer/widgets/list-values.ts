// Immutable operations on a list field's value: an ordered array of item
// objects. Drafts may hold anything here, so reading tolerates junk while
// keeping indices aligned with the stored array (diagnostic paths use them).
export type ListItem = Record<string, unknown>;

const isRecord = (value: unknown): value is ListItem => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The items of a list value; a missing or non-array value is empty, a non-object item reads as {}. */
export function readItems(value: unknown): ListItem[] {
  return Array.isArray(value) ? value.map((item) => (isRecord(item) ? item : {})) : [];
}

/** Appends a fresh copy of `template`, so items never share nested objects with it. */
export function addItem(items: readonly ListItem[], template: ListItem): ListItem[] {
  return [...items, structuredClone(template)];
}

export function removeItem(items: readonly ListItem[], index: number): ListItem[] {
  return items.filter((_, i) => i !== index);
}

/** Moves the item at `from` to `to`; out-of-range indices leave the order unchanged. */
export function moveItem(items: readonly ListItem[], from: number, to: number): ListItem[] {
  const moved = items[from];
  if (moved === undefined || to < 0 || to >= items.length || from === to) return [...items];
  const rest = items.filter((_, i) => i !== from);
  return [...rest.slice(0, to), moved, ...rest.slice(to)];
}

/** Sets one key of one item; `undefined` removes the key. */
export function updateItem(items: readonly ListItem[], index: number, key: string, value: unknown): ListItem[] {
  return items.map((item, i) => {
    if (i !== index) return item;
    if (value !== undefined) return { ...item, [key]: value };
    const { [key]: _removed, ...rest } = item;
    return rest;
  });
}
