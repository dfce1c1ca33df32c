'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { FormError } from '@/components/ui/form-error';
import { buttonClass, inputClass, labelClass } from '@/components/ui/styles';

export function NewPipelineForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.pipeline.create.mutationOptions({
      onSuccess: async ({ id }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipeline.list.queryKey() });
        router.push(`/pipelines/${id}`);
      },
    }),
  );

  function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: name.trim() });
  }

  return (
    <form onSubmit={onSubmit} className="flex max-w-lg flex-col gap-2">
      <label htmlFor="pipeline-name" className={labelClass}>
        Pipeline name
      </label>
      <div className="flex gap-2">
        <input
          id="pipeline-name"
          className={inputClass}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={120}
          placeholder="e.g. Daily orders export"
          required
        />
        <button type="submit" className={`${buttonClass.primary} shrink-0`} disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create pipeline'}
        </button>
      </div>
      <FormError message={create.error ? errorMessage(create.error, 'Could not create the pipeline') : null} />
    </form>
  );
}
