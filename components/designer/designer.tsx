'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/trpc';
import { errorMessage, trpcErrorCode } from '@/components/ui/errors';
import { DesignerWorkspace } from './designer-workspace';

/**
 * Loads a pipeline once and opens the designer on it. The query never refetches
 * while open (the canvas owns the draft) and is dropped on leaving, so coming
 * back loads the latest saved version.
 */
export function Designer({ pipelineId }: { pipelineId: string }) {
  const trpc = useTRPC();
  const { data, error, isPending } = useQuery({
    ...trpc.pipeline.get.queryOptions({ id: pipelineId }),
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  if (isPending) {
    return <p className="flex h-dvh items-center justify-center text-sm text-neutral-500">Loading pipeline…</p>;
  }
  if (error) {
    const notFound = trpcErrorCode(error) === 'NOT_FOUND' || trpcErrorCode(error) === 'BAD_REQUEST';
    return (
      <div className="flex h-dvh flex-col items-center justify-center gap-3 text-sm">
        <p role="alert" className="text-red-300">
          {notFound ? 'This pipeline does not exist, or you do not have access to it.' : errorMessage(error, 'Could not load the pipeline')}
        </p>
        <Link href="/" className="text-sky-400 hover:text-sky-300">
          Back to pipelines
        </Link>
      </div>
    );
  }
  return <DesignerWorkspace key={data.id} pipeline={data} />;
}
