'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage, trpcErrorCode } from '@/components/ui/errors';
import { selectDocument } from '../store';
import { useDesignerStoreApi } from '../store-context';

export interface PipelineSave {
  /** Saves the canvas as a new version; resolves to the saved version, or null if it failed. */
  save: () => Promise<number | null>;
  /** The version the canvas was loaded from or last saved as: the base of the next save. */
  savedVersion: number;
  saving: boolean;
  error: { message: string; conflict: boolean } | null;
  clearError: () => void;
}

export function usePipelineSave(pipelineId: string, loadedVersion: number): PipelineSave {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useDesignerStoreApi();
  const [savedVersion, setSavedVersion] = useState(loadedVersion);
  const { mutateAsync, isPending, error, reset } = useMutation(trpc.pipeline.save.mutationOptions());

  const save = useCallback(async (): Promise<number | null> => {
    const state = store.getState();
    const { revision } = state;
    try {
      const result = await mutateAsync({ id: pipelineId, document: selectDocument(state), baseVersion: savedVersion });
      setSavedVersion(result.version);
      store.getState().markSaved(revision);
      void queryClient.invalidateQueries({ queryKey: trpc.pipeline.list.queryKey() });
      return result.version;
    } catch {
      // The mutation keeps the error; the toolbar shows it.
      return null;
    }
  }, [store, mutateAsync, pipelineId, savedVersion, queryClient, trpc]);

  return {
    save,
    savedVersion,
    saving: isPending,
    error: error ? { message: errorMessage(error, 'Could not save the pipeline'), conflict: trpcErrorCode(error) === 'CONFLICT' } : null,
    clearError: reset,
  };
}
