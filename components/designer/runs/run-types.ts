// Run shapes as the API returns them. Summaries and details are inferred from
// the router; events are written out so the subscription's data is checked
// against them where it is received (run-follower.tsx).
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';

type RouterOutputs = inferRouterOutputs<AppRouter>;

export type RunSummary = RouterOutputs['run']['list'][number];
export type RunDetail = RouterOutputs['run']['get'];
export type RunStage = RunDetail['stages'][number];

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';
/** `reused`: a resumed run took the stage's outputs from the run it resumes instead of executing it. */
export type StageStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'reused';
export type LogLevel = 'info' | 'warn' | 'error';

/** What the stream sends, with the event's id and the time it was recorded (ISO 8601) where it came from the stream. */
export type RunEvent = RunEventData & { id?: string; at?: string };

export type RunEventData =
  | { type: 'run'; status: RunStatus; errorMessage?: string | null; errorNodeId?: string | null; rowsRejected?: number }
  | {
      type: 'stage';
      stageId: string;
      nodeIds: string[];
      status: StageStatus;
      rowsIn?: number | null;
      rowsOut?: number | null;
      rowsRejected?: number | null;
      /** Attempts the stage took, once it finished; more than one: transient errors were retried. */
      attempts?: number;
      errorMessage?: string | null;
    }
  | { type: 'log'; level: LogLevel; message: string; nodeId?: string };

export const isTerminalRunStatus = (status: RunStatus | null): boolean =>
  status === 'succeeded' || status === 'partially_succeeded' || status === 'failed' || status === 'cancelled';
