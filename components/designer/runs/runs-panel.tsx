'use client';
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { useNodeLabels } from '../store-context';
import { RunDetails } from './run-details';
import { RunRow } from './run-row';
import { isTerminalRunStatus, type RunSummary } from './run-types';
import { useRunView, useRunViewApi } from './run-view-store';

const ACTIVE_POLL_MS = 5_000;

/** The pipeline's runs; choosing one paints its statuses onto the canvas. */
export function RunsPanel({ pipelineId }: { pipelineId: string }) {
  const trpc = useTRPC();
  const runView = useRunViewApi();
  const shownRunId = useRunView((s) => s.view.runId);
  const labelOf = useNodeLabels();
  const { data, error, isPending } = useQuery({
    ...trpc.run.list.queryOptions({ pipelineId }),
    // A safety net next to the live events: while a run is active, refresh the list now and then.
    refetchInterval: (query) => (query.state.data?.some((r) => !isTerminalRunStatus(r.status)) ? ACTIVE_POLL_MS : false),
  });

  const onSelect = useCallback(
    (run: RunSummary) => runView.getState().show(run.id, run.status),
    [runView],
  );

  return (
    <section className="flex h-full min-h-0 border-t border-neutral-800 bg-neutral-900/40" data-testid="runs-panel">
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center justify-between px-3 py-1.5">
          <h2 className="text-xs font-semibold tracking-wide text-neutral-400 uppercase">Runs</h2>
          {shownRunId ? (
            <button type="button" className="text-xs text-neutral-400 hover:text-neutral-200" onClick={() => runView.getState().clear()}>
              Clear status from canvas
            </button>
          ) : null}
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto">
          {isPending ? <p className="px-3 text-xs text-neutral-500">Loading…</p> : null}
          {error ? <p className="px-3 text-xs text-red-300" role="alert">{errorMessage(error, 'Could not load the runs')}</p> : null}
          {data && data.length === 0 ? <p className="px-3 text-xs text-neutral-500">No runs yet. Press Run to execute the saved pipeline.</p> : null}
          {data && data.length > 0 ? (
            <table className="w-full text-xs">
              <thead className="sticky top-0 bg-neutral-900 text-left text-neutral-500">
                <tr>
                  <th className="px-2 py-1 font-medium">Status</th>
                  <th className="px-2 py-1 font-medium">Version</th>
                  <th className="px-2 py-1 font-medium">Started</th>
                  <th className="px-2 py-1 font-medium">Duration</th>
                  <th className="px-2 py-1 text-right font-medium">Rows read</th>
                  <th className="px-2 py-1 text-right font-medium">Rows written</th>
                  <th className="px-2 py-1 text-right font-medium" title="Rows nodes rejected: rows read = rows written + rows rejected, when no node filters">
                    Rejected
                  </th>
                  <th className="px-2 py-1 font-medium">Error</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-neutral-800/70">
                {data.map((run) => (
                  <RunRow
                    key={run.id}
                    run={run}
                    selected={run.id === shownRunId}
                    failedNodeLabel={run.errorNodeId ? labelOf(run.errorNodeId) : null}
                    onSelect={onSelect}
                  />
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      </div>
      {shownRunId ? (
        <div className="w-96 shrink-0 overflow-y-auto border-l border-neutral-800">
          <RunDetails runId={shownRunId} />
        </div>
      ) : null}
    </section>
  );
}
