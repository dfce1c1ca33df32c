// Where the Gantt chart of a run draws each stage: times in, bar geometry and
// axis ticks out, as percentages of the chart's width so the component only
// positions boxes. Pure, so the layout is tested without a browser.
import type { StageStatus } from './run-types';

export interface GanttStageInput {
  stageId: string;
  status: StageStatus;
  /** Epoch milliseconds; null before the stage started (and for stages that never run: reused, skipped). */
  startedAt: number | null;
  finishedAt: number | null;
  /** Attempts the stage took; more than one means transient errors were retried. */
  attempts: number | null;
}

/**
 * - `bar`: from the stage's start to its end (to `now` while it runs);
 * - `marker`: the stage finished without running (reused from a checkpoint, skipped): a tick at that moment;
 * - `none`: not started yet.
 */
export type GanttBarKind = 'bar' | 'marker' | 'none';

export interface GanttBar {
  stageId: string;
  status: StageStatus;
  kind: GanttBarKind;
  /** Percent of the chart's width from its left edge. */
  left: number;
  /** Percent of the chart's width; 0 for markers and stages not started. */
  width: number;
  /** From start to end (to now while running); null when the stage has not run. */
  durationMs: number | null;
  /** Milliseconds from the run's start to the stage's start (or marker). */
  offsetMs: number | null;
  running: boolean;
  retried: boolean;
}

export interface GanttTick {
  /** Milliseconds from the run's start. */
  offsetMs: number;
  left: number;
  label: string;
}

export interface GanttLayout {
  /** Epoch milliseconds the axis starts at (the run's start); null when nothing has started. */
  originMs: number | null;
  /** Milliseconds the axis spans. */
  spanMs: number;
  bars: GanttBar[];
  ticks: GanttTick[];
}

export interface GanttOptions {
  /** The run's start; the earliest stage start when absent. */
  runStartedAt?: number | null;
  /** The run's end, when it finished: the axis reaches at least there. */
  runFinishedAt?: number | null;
  /** The current time: running stages grow to it. */
  now: number;
  /** At most this many ticks (default 6). */
  maxTicks?: number;
}

/** The axis never spans less, so a run of a few milliseconds does not stretch its bars into noise. */
export const MIN_SPAN_MS = 1_000;

const TICK_STEPS_MS = [
  100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000,
  43_200_000, 86_400_000,
];

/** The smallest round step that fits the span in at most `maxTicks` intervals. */
export function tickStepMs(spanMs: number, maxTicks: number): number {
  const intervals = Math.max(1, maxTicks);
  return TICK_STEPS_MS.find((step) => spanMs / step <= intervals) ?? Math.ceil(spanMs / intervals / 86_400_000) * 86_400_000;
}

/** Axis labels: "0", "250ms", "5s", "1m 30s", "2h 15m". */
export function formatOffset(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const seconds = totalSeconds % 60;
    return `${Math.floor(totalSeconds / 60)}m${seconds ? ` ${seconds}s` : ''}`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  const minutes = totalMinutes % 60;
  return `${Math.floor(totalMinutes / 60)}h${minutes ? ` ${minutes}m` : ''}`;
}

const percent = (value: number, span: number): number => Math.min(100, Math.max(0, (value / span) * 100));

export function layoutGantt(stages: readonly GanttStageInput[], options: GanttOptions): GanttLayout {
  const starts = stages.flatMap((s) => (s.startedAt !== null ? [s.startedAt] : []));
  const finishes = stages.flatMap((s) => (s.finishedAt !== null ? [s.finishedAt] : []));
  const originMs = options.runStartedAt ?? (starts.length > 0 ? Math.min(...starts) : finishes.length > 0 ? Math.min(...finishes) : null);
  if (originMs === null) {
    return { originMs: null, spanMs: MIN_SPAN_MS, bars: stages.map((s) => ({ stageId: s.stageId, status: s.status, kind: 'none', left: 0, width: 0, durationMs: null, offsetMs: null, running: false, retried: false })), ticks: [] };
  }

  /** A running stage ends now; a finished one at its end; clocks that disagree never make a bar end before it starts. */
  const endOf = (s: GanttStageInput): number | null => {
    if (s.startedAt === null) return s.finishedAt;
    if (s.status === 'running' || s.finishedAt === null) return Math.max(s.startedAt, options.now);
    return Math.max(s.startedAt, s.finishedAt);
  };
  const live = stages.some((s) => s.status === 'running');
  const lastMoment = Math.max(
    originMs,
    ...stages.flatMap((s) => {
      const end = endOf(s);
      return end !== null ? [end] : [];
    }),
    ...(options.runFinishedAt != null ? [options.runFinishedAt] : live ? [options.now] : []),
  );
  const spanMs = Math.max(MIN_SPAN_MS, lastMoment - originMs);

  const bars = stages.map((s): GanttBar => {
    const base = { stageId: s.stageId, status: s.status, running: s.status === 'running', retried: (s.attempts ?? 0) > 1 };
    if (s.startedAt !== null) {
      const end = endOf(s) ?? s.startedAt;
      const left = percent(s.startedAt - originMs, spanMs);
      return { ...base, kind: 'bar', left, width: Math.min(100 - left, percent(end - s.startedAt, spanMs)), durationMs: end - s.startedAt, offsetMs: s.startedAt - originMs };
    }
    if (s.finishedAt !== null) return { ...base, kind: 'marker', left: percent(s.finishedAt - originMs, spanMs), width: 0, durationMs: null, offsetMs: s.finishedAt - originMs };
    return { ...base, kind: 'none', left: 0, width: 0, durationMs: null, offsetMs: null };
  });

  const step = tickStepMs(spanMs, options.maxTicks ?? 6);
  const ticks: GanttTick[] = [];
  for (let offset = 0; offset <= spanMs; offset += step) ticks.push({ offsetMs: offset, left: percent(offset, spanMs), label: formatOffset(offset) });
  return { originMs, spanMs, bars, ticks };
}
