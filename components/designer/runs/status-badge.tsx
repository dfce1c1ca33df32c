import type { RunStatus, StageStatus } from './run-types';

const styles: Record<RunStatus | StageStatus, string> = {
  queued: 'bg-neutral-800 text-neutral-300',
  pending: 'bg-neutral-800 text-neutral-400',
  running: 'bg-sky-950 text-sky-300',
  succeeded: 'bg-emerald-950 text-emerald-300',
  partially_succeeded: 'bg-amber-950 text-amber-300',
  failed: 'bg-red-950 text-red-300',
  cancelled: 'bg-neutral-800 text-neutral-400',
  skipped: 'bg-neutral-800 text-neutral-500',
  reused: 'bg-teal-950 text-teal-300',
};

export function StatusBadge({ status }: { status: RunStatus | StageStatus }) {
  return (
    <span className={`inline-flex items-center gap-1 rounded px-1.5 py-px text-[11px] font-medium ${styles[status]}`} data-testid="status-badge">
      {status === 'running' ? <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-sky-400" /> : null}
      {status === 'partially_succeeded' ? 'partially succeeded' : status}
    </span>
  );
}
