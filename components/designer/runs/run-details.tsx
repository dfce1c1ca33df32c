'use client';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatDuration, formatRows } from '@/components/ui/format';
import { labelOfNode } from '../document';
import { useDesignerStore } from '../store-context';
import { RejectedRows } from './rejected-rows';
import { ReprocessLinks } from './reprocess-rows';
import { ResumeRun } from './resume-run';
import { isTerminalRunStatus } from './run-types';
import { useRunView } from './run-view-store';
import { StatusBadge } from './status-badge';

const durationOf = (start: Date | null, end: Date | null): number | null => (start && end ? end.getTime() - start.getTime() : null);

/** The stages of the displayed run, and its log while it is followed live. */
export function RunDetails({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const { data, error, isPending } = useQuery(trpc.run.get.queryOptions({ runId }, { refetchOnWindowFocus: false }));
  const nodes = useDesignerStore((s) => s.nodes);
  const liveNodes = useRunView((s) => (s.view.runId === runId ? s.view.nodes : null));
  const logs = useRunView((s) => (s.view.runId === runId ? s.view.logs : null));

  if (isPending) return <p className="p-2 text-xs text-neutral-500">Loading stages…</p>;
  if (error) return <p className="p-2 text-xs text-red-300" role="alert">{errorMessage(error, 'Could not load the run')}</p>;

  return (
    <div className="space-y-2 p-2 text-xs" data-testid="run-stages">
      {data.errorMessage ? (
        <p className="rounded border border-red-900/70 bg-red-950/40 px-2 py-1 text-red-200">
          {data.errorNodeId ? <span className="font-medium">{labelOfNode(nodes, data.errorNodeId)}: </span> : null}
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
                <div className="truncate text-neutral-200">{stage.nodeIds.map((id) => labelOfNode(nodes, id)).join(' → ')}</div>
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
      {logs && logs.length > 0 ? (
        <div className="border-t border-neutral-800 pt-2">
          <h3 className="pb-1 font-semibold text-neutral-400">Log</h3>
          <ol className="max-h-32 space-y-0.5 overflow-y-auto font-mono text-[11px]" data-testid="run-log">
            {logs.map((line, i) => (
              <li key={i} className={line.level === 'error' ? 'text-red-300' : line.level === 'warn' ? 'text-amber-300' : 'text-neutral-400'}>
                {line.nodeId ? `[${labelOfNode(nodes, line.nodeId)}] ` : ''}
                {line.message}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}
