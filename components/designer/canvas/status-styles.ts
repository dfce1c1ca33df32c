import type { NodeDisplayStatus } from '../runs/run-view';

/** Border and chip colours per node status. */
export const statusStyles: Record<NodeDisplayStatus, { border: string; chip: string }> = {
  idle: { border: 'border-neutral-700', chip: 'bg-neutral-800 text-neutral-400' },
  queued: { border: 'border-neutral-500 border-dashed', chip: 'bg-neutral-800 text-neutral-300' },
  pending: { border: 'border-neutral-500 border-dashed', chip: 'bg-neutral-800 text-neutral-300' },
  running: { border: 'border-sky-500', chip: 'bg-sky-950 text-sky-300 animate-pulse' },
  succeeded: { border: 'border-emerald-600', chip: 'bg-emerald-950 text-emerald-300' },
  failed: { border: 'border-red-600', chip: 'bg-red-950 text-red-300' },
  skipped: { border: 'border-neutral-600', chip: 'bg-neutral-800 text-neutral-500' },
  // Done by the run a resumed run took over: finished, but not by this run.
  reused: { border: 'border-emerald-800 border-dashed', chip: 'bg-teal-950 text-teal-300' },
};
