'use client';
import { shortRunId } from './resume';
import { useRunViewApi } from './run-view-store';

/** Another run named by its short id; clicking shows it in the run view. */
export function RunLink({ runId }: { runId: string }) {
  const runView = useRunViewApi();
  return (
    <button type="button" className="font-mono text-sky-400 hover:text-sky-300" onClick={() => runView.getState().show(runId, null)}>
      {shortRunId(runId)}
    </button>
  );
}
