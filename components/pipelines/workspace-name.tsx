'use client';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc';

export function WorkspaceName() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.workspace.current.queryOptions());
  return <span className="text-sm text-neutral-400">{data?.name ?? ''}</span>;
}
