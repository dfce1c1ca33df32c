'use client';
// The run's stages on a time axis: one bar per stage from its start to its
// end, growing while it runs. Geometry comes from layoutGantt (pure); this
// only positions boxes.
import { useEffect, useMemo, useState } from 'react';
import { formatDuration } from '@/components/ui/format';
import { formatOffset, layoutGantt, type GanttBar, type GanttStageInput } from './gantt-layout';
import type { StageStatus } from './run-types';

export interface GanttStage extends GanttStageInput {
  label: string;
}

const barColors: Record<StageStatus, string> = {
  pending: 'bg-neutral-700',
  running: 'bg-sky-500 animate-pulse',
  succeeded: 'bg-emerald-500',
  failed: 'bg-red-500',
  skipped: 'bg-neutral-600',
  reused: 'bg-teal-400',
};

/** Redraws running bars a few times a second while something runs. */
function useNow(active: boolean, everyMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

function describe(stage: GanttStage, bar: GanttBar): string {
  const parts = [`${stage.label}: ${bar.status}`];
  if (bar.durationMs !== null) parts.push(bar.running ? `running for ${formatDuration(bar.durationMs)}` : `took ${formatDuration(bar.durationMs)}`);
  if (bar.offsetMs !== null) parts.push(`${bar.kind === 'marker' ? 'at' : 'started at'} +${formatOffset(bar.offsetMs)}`);
  if (bar.retried) parts.push(`${stage.attempts ?? 0} attempts`);
  return parts.join(', ');
}

export function RunGantt({ stages, runStartedAt, runFinishedAt }: { stages: readonly GanttStage[]; runStartedAt: number | null; runFinishedAt: number | null }) {
  const now = useNow(stages.some((s) => s.status === 'running'));
  const layout = useMemo(() => layoutGantt(stages, { runStartedAt, runFinishedAt, now, maxTicks: 4 }), [stages, runStartedAt, runFinishedAt, now]);
  if (stages.length === 0) return null;

  return (
    <figure className="space-y-1" data-testid="run-gantt">
      <figcaption className="font-semibold text-neutral-400">Timeline</figcaption>
      <ul className="space-y-0.5" aria-label="Stage timings">
        {layout.bars.map((bar, i) => {
          const stage = stages[i];
          if (!stage) return null;
          const label = describe(stage, bar);
          return (
            <li key={bar.stageId} className="flex items-center gap-2" data-testid="gantt-row" data-stage-id={bar.stageId} data-status={bar.status} aria-label={label} title={label}>
              <span className="w-24 shrink-0 truncate text-neutral-300">{stage.label}</span>
              <div className="relative h-3 min-w-0 flex-1 rounded-sm bg-neutral-800/60" aria-hidden>
                {bar.kind === 'bar' ? (
                  <div
                    className={`absolute top-0 h-full rounded-sm ${barColors[bar.status]} ${bar.retried ? 'ring-1 ring-amber-300 ring-inset' : ''}`}
                    style={{ left: `${bar.left}%`, width: `max(${bar.width}%, 2px)` }}
                    data-testid="gantt-bar"
                  />
                ) : null}
                {bar.kind === 'marker' ? (
                  <div className={`absolute top-0 h-full w-1 -translate-x-1/2 rounded-sm ${barColors[bar.status]}`} style={{ left: `${bar.left}%` }} data-testid="gantt-marker" />
                ) : null}
              </div>
              <span className="w-14 shrink-0 text-right tabular-nums text-neutral-400" data-testid="gantt-duration">
                {bar.durationMs !== null ? formatDuration(bar.durationMs) : bar.status === 'reused' ? 'reused' : bar.status === 'skipped' ? 'skipped' : '—'}
                {bar.retried ? <span className="text-amber-300"> ×{stage.attempts}</span> : null}
              </span>
            </li>
          );
        })}
      </ul>
      {layout.ticks.length > 0 ? (
        <div className="flex gap-2" aria-hidden>
          <span className="w-24 shrink-0" />
          <div className="relative h-4 min-w-0 flex-1 border-t border-neutral-700 text-[10px] text-neutral-500" data-testid="gantt-axis">
            {layout.ticks.map((tick) => (
              <span
                key={tick.offsetMs}
                className={`absolute top-0.5 tabular-nums ${tick.left >= 99 ? '-translate-x-full' : tick.left > 0 ? '-translate-x-1/2' : ''}`}
                style={{ left: `${tick.left}%` }}
              >
                {tick.label}
              </span>
            ))}
          </div>
          <span className="w-14 shrink-0" />
        </div>
      ) : null}
    </figure>
  );
}
