'use client';
// Reprocessing in the run view: the links between a run and the run that
// reprocesses its rejected rows, and the button (with a confirmation) that
// replays them through the pipeline's newest version (ADR 008).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatCount, formatRows } from '@/components/ui/format';
import { buttonClass } from '@/components/ui/styles';
import { useNodeLabels } from '../store-context';
import { RunLink } from './run-link';
import type { RunDetail } from './run-types';
import { useRunViewApi } from './run-view-store';

/** "Reprocess of run …" on a reprocess run, "Reprocessed by run …" on the run it reprocessed. */
export function ReprocessLinks({ run }: { run: Pick<RunDetail, 'reprocessOfRunId' | 'reprocessedByRunId'> }) {
  if (!run.reprocessOfRunId && !run.reprocessedByRunId) return null;
  return (
    <div className="space-y-1" data-testid="run-reprocess-links">
      {run.reprocessOfRunId ? (
        <p className="text-teal-300" data-testid="reprocess-of">
          Reprocess of run <RunLink runId={run.reprocessOfRunId} /> — its rejected rows, with this run&apos;s version
        </p>
      ) : null}
      {run.reprocessedByRunId ? (
        <p className="text-neutral-400" data-testid="reprocessed-by">
          Reprocessed by run <RunLink runId={run.reprocessedByRunId} />
        </p>
      ) : null}
    </div>
  );
}

/** The button that reprocesses a succeeded run's rejected rows with the newest version, once confirmed; or why it cannot. */
export function ReprocessButton({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runView = useRunViewApi();
  const labelOf = useNodeLabels();
  const [confirming, setConfirming] = useState(false);
  const preview = useQuery(trpc.run.reprocessPreview.queryOptions({ runId }, { staleTime: 0, refetchOnWindowFocus: false }));
  const reprocess = useMutation(
    trpc.run.reprocess.mutationOptions({
      onSuccess: ({ runId: started }) => {
        setConfirming(false);
        runView.getState().show(started, 'queued');
        void queryClient.invalidateQueries({ queryKey: trpc.run.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.run.reprocessPreview.queryKey({ runId }) });
      },
    }),
  );
  if (!preview.data) return null;
  const { rows, version, skipped, blocked } = preview.data;
  // The newest version may have been saved since the preview was read: read it again before asking.
  const ask = () => {
    setConfirming(true);
    void preview.refetch();
  };
  const rowsLabel = formatRows(rows);

  return (
    <div className="space-y-1 pb-1" data-testid="reprocess">
      {blocked ? (
        <p className="text-neutral-500" data-testid="reprocess-blocked" data-code={blocked.code}>
          {blocked.message}
        </p>
      ) : confirming && preview.isFetching ? (
        <p className="text-neutral-500">Checking the latest version…</p>
      ) : confirming && version !== null ? (
        <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Confirm reprocessing">
          <span className="text-amber-300">
            Run v{version} over these {rowsLabel} only? The sources read just the rejected rows; destinations load them as configured (append adds them, upsert merges them).
          </span>
          <button type="button" className={buttonClass.primary} disabled={reprocess.isPending} onClick={() => reprocess.mutate({ runId, version })}>
            {reprocess.isPending ? 'Starting…' : 'Reprocess'}
          </button>
          <button type="button" className={buttonClass.ghost} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button
          type="button"
          className={buttonClass.secondary}
          onClick={ask}
          title="Once the pipeline is fixed: a new run of the newest version whose sources read only these rejected rows"
        >
          Reprocess {rowsLabel} with the latest version
        </button>
      )}
      {skipped.length > 0 && !blocked ? (
        <ul className="text-neutral-500" data-testid="reprocess-skipped">
          {skipped.map((s) => (
            <li key={s.nodeId}>
              {labelOf(s.nodeId)}: {formatCount(s.rows)} not reprocessed — {s.why}
            </li>
          ))}
        </ul>
      ) : null}
      {reprocess.error ? (
        <p className="text-red-300" role="alert">
          {errorMessage(reprocess.error, 'Could not reprocess the rows')}
        </p>
      ) : null}
    </div>
  );
}
