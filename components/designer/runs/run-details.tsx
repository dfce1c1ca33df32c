'use client';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatDuration, formatRows } from '@/components/ui/format';
import { useNodeLabels } from '../store-context';
import { LogTail } from './log-tail';
import { RejectedRows } from './rejected-rows';
import { ReprocessLinks } from './reprocess-rows';
import { ResumeRun } from './resume-run';
import { RunGantt, type GanttStage } from './run-gantt';
import { isTerminalRunStatus } from './run-types';
import { stageTiming } from './run-view';
import { useRunView } from './run-view-store';
import { StatusBadge } from './status-badge';

const durationOf = (start: Date | null, end: Date | null): number | null => (start && end ? end.getTime() - start.getTime() : null);

/** The stages of the displayed run, their timeline, and its log (live while it runs). */
export function RunDetails({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const { data, error, isPending } = useQuery(trpc.run.get.queryOptions({ runId }, { refetchOnWindowFocus: false }));
  const labelOf = useNodeLabels();
  const liveNodes = useRunView((s) => (s.view.runId === runId ? s.view.nodes : null));
  const liveStages = useRunView((s) => (s.view.runId === runId ? s.view.stages : null));
  const liveStartedAt = useRunView((s) => (s.view.runId === runId ? s.view.startedAt : null));
  const liveFinishedAt = useRunView((s) => (s.view.runId === runId ? s.view.finishedAt : null));

  const stageLabels = useMemo(() => (data?.stages ?? []).map((stage) => ({ stageId: stage.stageId, nodeIds: stage.nodeIds, label: stage.nodeIds.map(labelOf).join(' → ') })), [data, labelOf]);
  const gantt = useMemo(
    (): GanttStage[] => (data?.stages ?? []).map((stage, i) => ({ stageId: stage.stageId, label: stageLabels[i]?.label ?? stage.stageId, ...stageTiming(stage, liveStages?.[stage.stageId]) })),
    [data, stageLabels, liveStages],
  );

  if (isPending) return <p className="p-2 text-xs text-neutral-500">Loading stages…</p>;
  if (error) return <p className="p-2 text-xs text-red-300" role="alert">{errorMessage(error, 'Could not load the run')}</p>;

  return (
    <div className="space-y-2 p-2 text-xs" data-testid="run-stages">
      {data.errorMessage ? (
        <p className="rounded border border-red-900/70 bg-red-950/40 px-2 py-1 text-red-200">
          {data.errorNodeId ? <span className="font-medium">{labelOf(data.errorNodeId)}: </span> : null}
          {data.errorMessage}
        </p>
      ) : null}
      <ResumeRun run={data} />
      <ReprocessLinks run={data} />
      {data.stages.length === 0 ? <p className="text-neutral-500">No stages yet.</p> : null}
      <ol className="space-y-1">
        {data.stages.map((stage) => {
          const live = liveNodes?.[stage.nodeIds[0] ?? ''];
          const status = live?.status ?? stage.status;
          const rows = live?.rows ?? stage.rowsOut ?? stage.rowsIn;
          return (
            <li key={stage.stageId} className="flex items-start gap-2" data-testid="run-stage" data-status={status}>
              <StatusBadge status={status} />
              <div className="min-w-0 flex-1">
                <div className="truncate text-neutral-200">{stage.nodeIds.map((id) => labelOf(id)).join(' → ')}</div>
                {stage.errorMessage ? <div className="break-words text-red-300">{stage.errorMessage}</div> : null}
                {stage.rowsRejected ? <div className="text-amber-300" data-testid="stage-rejected">{formatRows(stage.rowsRejected)} rejected</div> : null}
              </div>
              <span className="shrink-0 tabular-nums text-neutral-400">{rows !== null ? formatRows(rows) : ''}</span>
              <span className="w-14 shrink-0 text-right tabular-nums text-neutral-500">{formatDuration(durationOf(stage.startedAt, stage.finishedAt))}</span>
            </li>
          );
        })}
      </ol>
      {data.rowsRejected > 0 && isTerminalRunStatus(data.status) ? <RejectedRows runId={runId} canReprocess={data.status === 'succeeded'} reprocessedByRunId={data.reprocessedByRunId} /> : null}
      <RunGantt
        stages={gantt}
        runStartedAt={data.startedAt?.getTime() ?? liveStartedAt}
        runFinishedAt={data.finishedAt?.getTime() ?? liveFinishedAt}
      />
      <LogTail key={runId} runId={runId} stages={stageLabels} labelOf={labelOf} />
    </div>
  );
}
