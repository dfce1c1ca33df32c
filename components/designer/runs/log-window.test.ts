import { describe, expect, it } from 'vitest';
import { createLogWindow, filterLines, jumpToLatest, MAX_TAIL_LINES, pause, receiveLatestPage, receiveNewer, receiveOlder, type TailLine } from './log-window';

const line = (id: number, level: TailLine['level'] = 'info', nodeId: string | null = null): TailLine => ({ id: String(id), at: 1_000 * id, level, message: `line ${id}`, nodeId });
const range = (from: number, to: number): TailLine[] => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const ids = (lines: readonly TailLine[]) => lines.map((l) => Number(l.id));

describe('log window', () => {
  it('holds 2,000 lines by default', () => {
    expect(createLogWindow().max).toBe(MAX_TAIL_LINES);
    expect(MAX_TAIL_LINES).toBe(2_000);
  });

  it('appends live lines in id order, each once, and drops the oldest beyond its bound', () => {
    let w = receiveNewer(createLogWindow(5), [line(2), line(1), line(3)]);
    expect(ids(w.lines)).toEqual([1, 2, 3]);
    expect(w.hasOlder).toBe(false);
    // A replay after a reconnect repeats lines already held.
    w = receiveNewer(w, [line(2), line(3), line(4), line(4)]);
    expect(ids(w.lines)).toEqual([1, 2, 3, 4]);
    w = receiveNewer(w, range(5, 8));
    expect(ids(w.lines)).toEqual([4, 5, 6, 7, 8]);
    expect(w.hasOlder).toBe(true);
    expect(receiveNewer(w, [line(8)])).toBe(w);
  });

  it('knows older lines exist when its first lines come from a buffer that dropped some', () => {
    const w = receiveNewer(createLogWindow(5), range(7, 9), { olderExist: true });
    expect(w.hasOlder).toBe(true);
    // Once it holds lines, its own bound and the pages it took decide.
    const all = receiveOlder(w, { lines: range(1, 6), olderCursor: null });
    expect(all.hasOlder).toBe(false);
    expect(receiveNewer(jumpToLatest(all), [line(10)], { olderExist: true }).hasOlder).toBe(true);
    expect(receiveNewer(receiveNewer(createLogWindow(5), range(1, 2)), [line(3)], { olderExist: true }).hasOlder).toBe(false);
  });

  it('holds still while the reader is paused; jumping back joins what waited', () => {
    let w = pause(receiveNewer(createLogWindow(5), range(1, 3)));
    w = receiveNewer(w, range(4, 5));
    expect(ids(w.lines)).toEqual([1, 2, 3]);
    expect(ids(w.newer)).toEqual([4, 5]);
    w = jumpToLatest(w);
    expect(w).toMatchObject({ paused: false, newer: [], hasOlder: false });
    expect(ids(w.lines)).toEqual([1, 2, 3, 4, 5]);

    w = receiveNewer(pause(w), range(6, 7));
    w = jumpToLatest(w);
    expect(ids(w.lines)).toEqual([3, 4, 5, 6, 7]);
    expect(w.hasOlder).toBe(true);
  });

  it('bounds what waits too, and after a gap jumps to the newest lines alone', () => {
    let w = pause(receiveNewer(createLogWindow(3), range(1, 2)));
    w = receiveNewer(w, range(3, 8));
    expect(ids(w.lines)).toEqual([1, 2]);
    expect(ids(w.newer)).toEqual([6, 7, 8]);
    expect(w.newerGap).toBe(true);
    w = jumpToLatest(w);
    expect(ids(w.lines)).toEqual([6, 7, 8]);
    expect(w).toMatchObject({ hasOlder: true, newerGap: false, paused: false, newer: [] });
  });

  it('takes the newest page of a finished run and knows whether older lines exist', () => {
    const w = receiveLatestPage(createLogWindow(5), { lines: range(11, 13), olderCursor: '11' });
    expect(ids(w.lines)).toEqual([11, 12, 13]);
    expect(w.hasOlder).toBe(true);
    // Live lines the window already has make the page one more source of newer lines.
    const live = receiveLatestPage(receiveNewer(createLogWindow(5), range(1, 12)), { lines: range(11, 14), olderCursor: '11' });
    expect(ids(live.lines)).toEqual([10, 11, 12, 13, 14]);
  });

  it('prepends older pages; what no longer fits at the end waits, and the reader stays back there', () => {
    let w = receiveLatestPage(createLogWindow(5), { lines: range(8, 10), olderCursor: '8' });
    w = receiveOlder(w, { lines: range(6, 8), olderCursor: '6' });
    expect(ids(w.lines)).toEqual([6, 7, 8, 9, 10]);
    expect(w).toMatchObject({ hasOlder: true, paused: false });

    w = receiveOlder(w, { lines: range(3, 5), olderCursor: null });
    expect(ids(w.lines)).toEqual([3, 4, 5, 6, 7]);
    expect(ids(w.newer)).toEqual([8, 9, 10]);
    expect(w).toMatchObject({ hasOlder: false, paused: true, newerGap: false });

    // A live line arriving meanwhile waits behind them; jumping back shows the newest five.
    w = receiveNewer(w, [line(11)]);
    expect(ids(w.newer)).toEqual([8, 9, 10, 11]);
    w = jumpToLatest(w);
    expect(ids(w.lines)).toEqual([7, 8, 9, 10, 11]);
    expect(w.hasOlder).toBe(true);
  });

  it('filters by level and by the nodes of a stage', () => {
    const lines = [line(1, 'info', 'a'), line(2, 'warn', 'b'), line(3, 'error', null), line(4, 'error', 'a')];
    expect(filterLines(lines, { levels: [], nodeIds: null })).toBe(lines);
    expect(ids(filterLines(lines, { levels: ['error'], nodeIds: null }))).toEqual([3, 4]);
    expect(ids(filterLines(lines, { levels: ['warn', 'error'], nodeIds: null }))).toEqual([2, 3, 4]);
    expect(ids(filterLines(lines, { levels: [], nodeIds: ['a'] }))).toEqual([1, 4]);
    expect(ids(filterLines(lines, { levels: ['warn'], nodeIds: ['a', 'x'] }))).toEqual([]);
  });
});
