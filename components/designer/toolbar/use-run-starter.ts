'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import type { ParameterInput } from '@/server/pipeline/parameters';
import { useRunViewApi } from '../runs/run-view-store';
import { useDesignerStoreApi } from '../store-context';
import type { PipelineSave } from './use-pipeline-save';

export interface RunStarter {
  /** Saves first when there are unsaved changes, starts a run of the saved version (with these parameter values) and follows it. */
  start: (parameters?: ParameterInput) => Promise<void>;
  starting: boolean;
  error: string | null;
  clearError: () => void;
}

export function useRunStarter(pipelineId: string, saver: Pick<PipelineSave, 'save' | 'savedVersion'>): RunStarter {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useDesignerStoreApi();
  const runView = useRunViewApi();
  const { mutateAsync, isPending, error, reset } = useMutation(trpc.run.start.mutationOptions());
  const { save, savedVersion } = saver;

  const start = useCallback(async (parameters: ParameterInput = {}) => {
    if (store.getState().dirty || savedVersion < 1) {
      const version = await save();
      if (version === null) return;
    }
    try {
      const { runId } = await mutateAsync({ pipelineId, parameters });
      runView.getState().show(runId, 'queued');
      void queryClient.invalidateQueries({ queryKey: trpc.run.list.queryKey({ pipelineId }) });
    } catch {
      // Shown from the mutation's error.
    }
  }, [store, savedVersion, save, mutateAsync, pipelineId, runView, queryClient, trpc]);

  return { start, starting: isPending, error: error ? errorMessage(error, 'Could not start the run') : null, clearError: reset };
}
