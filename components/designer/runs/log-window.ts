// The part of a run's log the browser holds: a contiguous window of at most
// `max` lines. Live lines append to it (the oldest fall out) while the reader
// follows the end; once they scroll up the window holds still and new lines
// wait in a second bounded buffer until they jump back to the latest. Older
// lines come page by page from the server (run.logs). Pure, so it is tested
// without React; the component keeps one in a reducer.
import type { LogLevel } from './run-types';

export interface TailLine {
  /** The run event's id: orders lines and pages older ones. */
  id: string;
  /** Epoch milliseconds it was recorded. */
  at: number;
  level: LogLevel;
  message: string;
  nodeId: string | null;
}

export interface LogWindow {
  max: number;
  /** Oldest first, without gaps. */
  lines: readonly TailLine[];
  /** Lines that arrived while the reader looked at older ones, oldest first; at most `max`, the newest kept. */
  newer: readonly TailLine[];
  /** `newer` dropped lines, so it no longer joins onto `lines`. */
  newerGap: boolean;
  /** The server has lines older than `lines[0]`. */
  hasOlder: boolean;
  /** The reader looks at older lines: new ones wait in `newer`. */
  paused: boolean;
}

export const MAX_TAIL_LINES = 2_000;

export const createLogWindow = (max: number = MAX_TAIL_LINES): LogWindow => ({ max, lines: [], newer: [], newerGap: false, hasOlder: false, paused: false });

const idOf = (line: TailLine): bigint => BigInt(line.id);
const byId = (a: TailLine, b: TailLine): number => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);

/** Sorted, each id once, only those after `after` (or before `before`). */
function fresh(lines: readonly TailLine[], bound: { after?: bigint | undefined; before?: bigint | undefined }): TailLine[] {
  const seen = new Set<string>();
  return lines
    .filter((line) => {
      const id = idOf(line);
      if (seen.has(line.id) || (bound.after !== undefined && id <= bound.after) || (bound.before !== undefined && id >= bound.before)) return false;
      seen.add(line.id);
      return true;
    })
    .sort(byId);
}

const lastId = (w: LogWindow): bigint | undefined => {
  const last = w.newer.at(-1) ?? w.lines.at(-1);
  return last ? idOf(last) : undefined;
};

/**
 * Lines newer than any held (live events, or the newest page): appended while
 * following, set aside while paused. Lines already held are ignored, so live
 * events replayed after a page do no harm.
 */
export function receiveNewer(w: LogWindow, incoming: readonly TailLine[], options: { olderExist?: boolean } = {}): LogWindow {
  const added = fresh(incoming, { after: lastId(w) });
  if (added.length === 0) return w;
  // The first lines of an empty window may come from a buffer that already dropped older ones.
  if (options.olderExist && w.lines.length === 0 && w.newer.length === 0) w = { ...w, hasOlder: true };
  if (w.paused) {
    const newer = [...w.newer, ...added];
    return newer.length > w.max ? { ...w, newer: newer.slice(-w.max), newerGap: true } : { ...w, newer };
  }
  const lines = [...w.lines, ...added];
  return lines.length > w.max ? { ...w, lines: lines.slice(-w.max), hasOlder: true } : { ...w, lines };
}

/**
 * The newest page, when the window holds nothing yet (a finished run opened
 * later): it tells whether there is more before it.
 */
export function receiveLatestPage(w: LogWindow, page: { lines: readonly TailLine[]; olderCursor: string | null }): LogWindow {
  if (w.lines.length > 0 || w.newer.length > 0) return receiveNewer(w, page.lines);
  const next = receiveNewer(w, page.lines);
  return { ...next, hasOlder: next.hasOlder || page.olderCursor !== null };
}

/**
 * A page of lines before the window's first. The window keeps `max` lines:
 * what no longer fits at its end moves to `newer`, and the reader is paused
 * there, looking back.
 */
export function receiveOlder(w: LogWindow, page: { lines: readonly TailLine[]; olderCursor: string | null }): LogWindow {
  const first = w.lines[0];
  const added = fresh(page.lines, { before: first ? idOf(first) : undefined });
  const lines = [...added, ...w.lines];
  const hasOlder = page.olderCursor !== null;
  if (lines.length <= w.max) return { ...w, lines, hasOlder };
  const moved = lines.slice(w.max);
  const newer = [...moved, ...w.newer];
  return {
    ...w,
    lines: lines.slice(0, w.max),
    hasOlder,
    paused: true,
    newer: newer.slice(-w.max),
    newerGap: w.newerGap || newer.length > w.max,
  };
}

/** The reader scrolled up: hold the window still. */
export const pause = (w: LogWindow): LogWindow => (w.paused ? w : { ...w, paused: true });

/** Back to the end: what waited joins the window, which keeps its newest `max` lines. */
export function jumpToLatest(w: LogWindow): LogWindow {
  if (!w.paused && w.newer.length === 0) return w;
  if (w.newerGap) return { ...w, lines: w.newer, newer: [], newerGap: false, hasOlder: true, paused: false };
  const lines = [...w.lines, ...w.newer];
  const trimmed = lines.length > w.max;
  return { ...w, lines: trimmed ? lines.slice(-w.max) : lines, newer: [], paused: false, hasOlder: w.hasOlder || trimmed };
}

export interface LogFilter {
  /** Levels shown; all when empty. */
  levels: readonly LogLevel[];
  /** Only lines about these nodes (one stage's); all lines when null. */
  nodeIds: readonly string[] | null;
}

export const noLogFilter: LogFilter = { levels: [], nodeIds: null };

export function filterLines(lines: readonly TailLine[], filter: LogFilter): readonly TailLine[] {
  if (filter.levels.length === 0 && filter.nodeIds === null) return lines;
  const levels = new Set(filter.levels);
  const nodes = filter.nodeIds ? new Set(filter.nodeIds) : null;
  return lines.filter((l) => (levels.size === 0 || levels.has(l.level)) && (!nodes || (l.nodeId !== null && nodes.has(l.nodeId))));
}
