'use client';
import { shortRunId } from './resume';

/** Another run named by its short id; clicking shows it in the run view. */
export function RunLink({ runId, onShow }: { runId: string; onShow: (runId: string) => void }) {
  return (
    <button type="button" className="font-mono text-sky-400 hover:text-sky-300" onClick={() => onShow(runId)}>
      {shortRunId(runId)}
    </button>
  );
}
