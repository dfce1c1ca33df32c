import { describe, expect, it } from 'vitest';
import { formatOffset, layoutGantt, MIN_SPAN_MS, tickStepMs, type GanttStageInput } from './gantt-layout';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const stage = (stageId: string, status: GanttStageInput['status'], startedAt: number | null, finishedAt: number | null, attempts: number | null = 1): GanttStageInput => ({
  stageId,
  status,
  startedAt: startedAt === null ? null : T0 + startedAt,
  finishedAt: finishedAt === null ? null : T0 + finishedAt,
  attempts,
});

describe('Gantt layout', () => {
  it('draws each finished stage from its start to its end on an axis from the run start to the run end', () => {
    const layout = layoutGantt([stage('src', 'succeeded', 0, 2_000), stage('filter', 'succeeded', 2_000, 3_000), stage('out', 'failed', 3_000, 4_000)], {
      runStartedAt: T0,
      runFinishedAt: T0 + 4_000,
      now: T0 + 60_000,
    });
    expect(layout.originMs).toBe(T0);
    expect(layout.spanMs).toBe(4_000);
    expect(layout.bars.map((b) => [b.stageId, b.kind, b.left, b.width, b.durationMs, b.offsetMs])).toEqual([
      ['src', 'bar', 0, 50, 2_000, 0],
      ['filter', 'bar', 50, 25, 1_000, 2_000],
      ['out', 'bar', 75, 25, 1_000, 3_000],
    ]);
    expect(layout.bars[2]?.status).toBe('failed');
    expect(layout.ticks.map((t) => [t.offsetMs, t.left, t.label])).toEqual([
      [0, 0, '0'],
      [1_000, 25, '1s'],
      [2_000, 50, '2s'],
      [3_000, 75, '3s'],
      [4_000, 100, '4s'],
    ]);
  });

  it('grows a running stage to now, and the axis with it', () => {
    const stages = [stage('src', 'succeeded', 0, 1_000), stage('slow', 'running', 1_000, null), stage('out', 'pending', null, null)];
    const early = layoutGantt(stages, { runStartedAt: T0, now: T0 + 2_000 });
    expect(early.spanMs).toBe(2_000);
    expect(early.bars[1]).toMatchObject({ kind: 'bar', running: true, left: 50, width: 50, durationMs: 1_000 });
    expect(early.bars[2]).toMatchObject({ kind: 'none', durationMs: null, offsetMs: null });

    const later = layoutGantt(stages, { runStartedAt: T0, now: T0 + 4_000 });
    expect(later.spanMs).toBe(4_000);
    expect(later.bars[0]).toMatchObject({ left: 0, width: 25 });
    expect(later.bars[1]).toMatchObject({ left: 25, width: 75, durationMs: 3_000 });
  });

  it('marks a stage that finished without running (reused from a checkpoint) at its moment, and flags retried stages', () => {
    const layout = layoutGantt([stage('src', 'reused', null, 0), stage('typed', 'succeeded', 500, 2_000, 3)], { runStartedAt: T0, runFinishedAt: T0 + 2_000, now: T0 + 9_000 });
    expect(layout.bars[0]).toMatchObject({ kind: 'marker', status: 'reused', left: 0, width: 0, durationMs: null, offsetMs: 0, retried: false });
    expect(layout.bars[1]).toMatchObject({ kind: 'bar', left: 25, width: 75, durationMs: 1_500, retried: true });
  });

  it('starts at the earliest stage without a run start, and keeps a minimum span for very fast runs', () => {
    const layout = layoutGantt([stage('a', 'succeeded', 10, 30), stage('b', 'succeeded', 30, 50)], { now: T0 + 60_000 });
    expect(layout.originMs).toBe(T0 + 10);
    expect(layout.spanMs).toBe(MIN_SPAN_MS);
    expect(layout.bars.map((b) => [b.left, b.width])).toEqual([
      [0, 2],
      [2, 2],
    ]);
    expect(layout.ticks.at(-1)?.offsetMs).toBe(1_000);
  });

  it('has nothing to place before any stage started', () => {
    const layout = layoutGantt([stage('a', 'pending', null, null)], { now: T0 });
    expect(layout.originMs).toBeNull();
    expect(layout.ticks).toEqual([]);
    expect(layout.bars).toEqual([{ stageId: 'a', status: 'pending', kind: 'none', left: 0, width: 0, durationMs: null, offsetMs: null, running: false, retried: false }]);
  });

  it('never draws a bar backwards or past the chart when clocks disagree', () => {
    const layout = layoutGantt([stage('a', 'succeeded', 1_000, 500), stage('b', 'running', 1_500, null)], { runStartedAt: T0, now: T0 + 1_000 });
    expect(layout.bars[0]).toMatchObject({ durationMs: 0, width: 0 });
    expect(layout.bars[1]).toMatchObject({ durationMs: 0, left: 100, width: 0 });
    for (const bar of layout.bars) expect(bar.left + bar.width).toBeLessThanOrEqual(100);
  });

  it('picks round tick steps that keep the axis readable', () => {
    expect(tickStepMs(1_000, 6)).toBe(200);
    expect(tickStepMs(4_000, 6)).toBe(1_000);
    expect(tickStepMs(95_000, 6)).toBe(30_000);
    expect(tickStepMs(3 * 3_600_000, 6)).toBe(1_800_000);
    expect(tickStepMs(30 * 86_400_000, 6)).toBe(5 * 86_400_000);
    const ticks = layoutGantt([stage('a', 'succeeded', 0, 95_000)], { runStartedAt: T0, now: T0 }).ticks;
    expect(ticks.map((t) => t.label)).toEqual(['0', '30s', '1m', '1m 30s']);
    expect(ticks.length).toBeLessThanOrEqual(7);
  });

  it('labels offsets compactly', () => {
    expect([0, 250, 1_000, 1_500, 60_000, 90_000, 3_600_000, 5_400_000].map(formatOffset)).toEqual(['0', '250ms', '1s', '1.5s', '1m', '1m 30s', '1h', '1h 30m']);
  });
});
