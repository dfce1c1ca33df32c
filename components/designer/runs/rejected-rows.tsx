'use client';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatCount } from '@/components/ui/format';
import { useNodeLabels } from '../store-context';
import { ReprocessButton } from './reprocess-rows';
import { shortRunId } from './resume';

const PAGE_ROWS = 50;

/**
 * The rows a finished run's nodes rejected (dead letters), a page at a time,
 * with a CSV download of all of them and, for a succeeded run, the button that
 * reprocesses them with the pipeline's newest version.
 */
export function RejectedRows({ runId, canReprocess = false, reprocessedByRunId = null }: { runId: string; canReprocess?: boolean; reprocessedByRunId?: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // A reprocess started or succeeded: the rows' marks and what is left to reprocess changed on the server.
  useEffect(() => {
    if (!reprocessedByRunId) return;
    void queryClient.invalidateQueries({ queryKey: trpc.run.deadLetters.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.run.reprocessPreview.queryKey({ runId }) });
  }, [reprocessedByRunId, runId, queryClient, trpc]);
  const labelOf = useNodeLabels();
  const { data, error, isPending, hasNextPage, fetchNextPage, isFetchingNextPage } = useInfiniteQuery(
    trpc.run.deadLetters.infiniteQueryOptions({ runId, limit: PAGE_ROWS }, { getNextPageParam: (page) => page.nextCursor, refetchOnWindowFocus: false }),
  );

  if (isPending) return <p className="text-neutral-500">Loading rejected rows…</p>;
  if (error) return <p className="text-red-300" role="alert">{errorMessage(error, 'Could not load the rejected rows')}</p>;
  const byNode = data.pages[0]?.byNode ?? [];
  // Skipped rows are counted, never stored: they are named in the log instead.
  if (byNode.length === 0) return null;
  const items = data.pages.flatMap((p) => p.items);

  return (
    <div className="border-t border-neutral-800 pt-2" data-testid="rejected-rows">
      <div className="flex items-baseline justify-between pb-1">
        <h3 className="font-semibold text-neutral-400">Rejected rows</h3>
        <a className="text-sky-400 hover:text-sky-300" href={`/api/runs/${runId}/dead-letters`} download>
          Download CSV
        </a>
      </div>
      <p className="pb-1 text-neutral-500">
        {byNode.map((n) => `${labelOf(n.nodeId)}: ${formatCount(n.count)}`).join(' · ')}
      </p>
      {canReprocess ? <ReprocessButton runId={runId} /> : null}
      <ol className="max-h-48 space-y-1 overflow-y-auto">
        {items.map((d) => (
          <li key={d.id} className="rounded bg-neutral-900/60 px-1.5 py-1" data-testid="rejected-row">
            <div className="flex gap-2 text-neutral-400">
              <span className="font-medium text-neutral-300">{labelOf(d.nodeId)}</span>
              <span className="font-mono text-[11px]">{d.reason}</span>
              {d.sourceLine !== null ? <span className="tabular-nums">line {d.sourceLine}</span> : null}
              {d.reprocessedByRunId ? (
                <span className="text-teal-300" title={`Reprocessed by run ${d.reprocessedByRunId}`} data-testid="rejected-row-reprocessed">
                  reprocessed by {shortRunId(d.reprocessedByRunId)}
                </span>
              ) : null}
            </div>
            <div className="break-words text-amber-200">{d.message}</div>
            {d.rawLine !== null ? <div className="truncate font-mono text-[11px] text-neutral-500" title={d.rawLine}>{d.rawLine}</div> : null}
          </li>
        ))}
      </ol>
      {hasNextPage ? (
        <button type="button" className="pt-1 text-neutral-400 hover:text-neutral-200" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      ) : null}
    </div>
  );
}
