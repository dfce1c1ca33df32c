// What the run view says about resuming: pure, so it is tested without React.
import type { StageStatus } from './run-types';

/** The first block of a run id, enough to tell runs apart in a sentence. */
export const shortRunId = (id: string): string => id.slice(0, 8);

/** "3 stages reused": the stages a resumed run took from the run it resumes. */
export function reusedLabel(stages: readonly { status: StageStatus }[]): string {
  const reused = stages.filter((s) => s.status === 'reused').length;
  return `${reused} ${reused === 1 ? 'stage' : 'stages'} reused`;
}
