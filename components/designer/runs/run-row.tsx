'use client';
import type { KeyboardEvent } from 'react';
import { formatCount, formatDuration, formatWhen } from '@/components/ui/format';
import type { RunSummary } from './run-types';
import { StatusBadge } from './status-badge';

interface RunRowProps {
  run: RunSummary;
  selected: boolean;
  failedNodeLabel: string | null;
  onSelect: (run: RunSummary) => void;
}

export function RunRow({ run, selected, failedNodeLabel, onSelect }: RunRowProps) {
  function onKeyDown(event: KeyboardEvent<HTMLTableRowElement>) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    onSelect(run);
  }

  return (
    <tr
      data-testid="run-row"
      data-run-id={run.id}
      data-status={run.status}
      aria-selected={selected}
      tabIndex={0}
      onClick={() => onSelect(run)}
      onKeyDown={onKeyDown}
      className={`cursor-pointer align-top outline-none hover:bg-neutral-800/50 focus-visible:bg-neutral-800/70 ${selected ? 'bg-sky-950/40' : ''}`}
    >
      <td className="px-2 py-1 whitespace-nowrap">
        <StatusBadge status={run.status} />
        {run.resumedFromRunId ? (
          <span className="ml-1 text-[11px] text-teal-300" title={`Resumes run ${run.resumedFromRunId}`} data-testid="run-resumed">
            ↻ resumed
          </span>
        ) : null}
        {run.reprocessOfRunId ? (
          <span className="ml-1 text-[11px] text-teal-300" title={`Reprocesses the rejected rows of run ${run.reprocessOfRunId}`} data-testid="run-reprocess">
            ⟲ reprocess
          </span>
        ) : null}
      </td>
      <td className="px-2 py-1 tabular-nums text-neutral-300">v{run.version}</td>
      <td className="px-2 py-1 whitespace-nowrap text-neutral-400">{formatWhen(run.startedAt ?? run.queuedAt)}</td>
      <td className="px-2 py-1 tabular-nums text-neutral-400">{formatDuration(run.durationMs)}</td>
      <td className="px-2 py-1 text-right tabular-nums text-neutral-300">{formatCount(run.rowsRead)}</td>
      <td className="px-2 py-1 text-right tabular-nums text-neutral-300">{formatCount(run.rowsWritten)}</td>
      <td className={`px-2 py-1 text-right tabular-nums ${run.rowsRejected > 0 ? 'text-amber-300' : 'text-neutral-500'}`} data-testid="run-rejected">
        {formatCount(run.rowsRejected)}
      </td>
      <td className="max-w-md px-2 py-1 text-red-300" data-testid="run-error">
        {run.status === 'failed' ? (
          <>
            {failedNodeLabel ? <span className="font-medium text-red-200" data-testid="run-error-node">{failedNodeLabel}: </span> : null}
            <span className="break-words">{run.errorMessage ? run.errorMessage : (run.errorCode ?? 'The run failed.')}</span>
          </>
        ) : null}
      </td>
    </tr>
  );
}
