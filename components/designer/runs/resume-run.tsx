'use client';
// Resuming in the run details: the note on a run that resumes another (with a
// link to it), the run that took this one over, and the button that resumes a
// failed or partially succeeded run from its failed stages.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatDateTime } from '@/components/ui/format';
import { buttonClass } from '@/components/ui/styles';
import { reusedLabel } from './resume';
import { RunLink } from './run-link';
import type { RunDetail } from './run-types';
import { useRunView, useRunViewApi } from './run-view-store';

export function ResumeRun({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runView = useRunViewApi();
  const resume = useMutation(
    trpc.run.resume.mutationOptions({
      onSuccess: ({ runId }) => {
        runView.getState().show(runId, 'queued');
        void queryClient.invalidateQueries({ queryKey: trpc.run.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId: run.id }) });
      },
    }),
  );
  // While the run is followed live, its stages' statuses arrive as events before the snapshot is refetched.
  const liveNodes = useRunView((s) => (s.view.runId === run.id ? s.view.nodes : null));
  const stages = run.stages.map((stage) => ({ status: liveNodes?.[stage.nodeIds[0] ?? '']?.status ?? stage.status }));
  if (!run.resumedFromRunId && !run.resumedByRunId && !run.canResume) return null;

  return (
    <div className="space-y-1" data-testid="run-resume">
      {run.resumedFromRunId ? (
        <p className="text-teal-300" data-testid="resumed-from">
          Resumed from run <RunLink runId={run.resumedFromRunId} /> — {reusedLabel(stages)}
        </p>
      ) : null}
      {run.resumedByRunId ? (
        <p className="text-neutral-400" data-testid="resumed-by">
          Resumed by run <RunLink runId={run.resumedByRunId} />
        </p>
      ) : null}
      {run.canResume ? (
        <div className="flex items-center gap-2">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={resume.isPending}
            onClick={() => resume.mutate({ runId: run.id })}
            title="Runs the failed and skipped stages again with the same version and parameters; the stages that finished are reused from this run's checkpoint"
          >
            {resume.isPending ? 'Resuming…' : 'Resume from failed stage'}
          </button>
          {run.checkpointExpiresAt ? <span className="text-neutral-500">checkpoint kept until {formatDateTime(run.checkpointExpiresAt)}</span> : null}
        </div>
      ) : null}
      {resume.error ? (
        <p className="text-red-300" role="alert">
          {errorMessage(resume.error, 'Could not resume the run')}
        </p>
      ) : null}
    </div>
  );
}
