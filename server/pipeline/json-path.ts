// The small JSON path dialect of the REST source: `$` is the whole value,
// `data.items` walks object keys, and a numeric segment (`items.0`) indexes an
// array. Keys containing dots cannot be named; that keeps paths readable.

const segmentPattern = /^[^.\s]+$/;

/** Splits a path into segments; `$`, `$.a.b` and `a.b` are accepted. Undefined when malformed. */
export function parseJsonPath(path: string): string[] | undefined {
  const text = path.trim();
  if (text === '$') return [];
  const body = text.startsWith('$.') ? text.slice(2) : text;
  const segments = body.split('.');
  return segments.every((s) => segmentPattern.test(s)) ? segments : undefined;
}

export const jsonPathHint = 'Use $ for the whole value or dotted keys such as data.items (numbers index arrays: items.0.id)';

/** The value at `segments`, or undefined when some step does not exist. */
export function valueAtPath(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, segment)) current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}
