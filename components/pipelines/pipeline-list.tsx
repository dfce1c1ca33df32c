'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatDateTime } from '@/components/ui/format';

export function PipelineList() {
  const trpc = useTRPC();
  const { data, error, isPending } = useQuery(trpc.pipeline.list.queryOptions());

  if (isPending) return <p className="text-sm text-neutral-500">Loading pipelines…</p>;
  if (error) return <p role="alert" className="text-sm text-red-300">{errorMessage(error, 'Could not load the pipelines')}</p>;
  if (data.length === 0) {
    return <p className="rounded border border-dashed border-neutral-800 px-4 py-6 text-center text-sm text-neutral-500">No pipelines yet. Create the first one below.</p>;
  }

  return (
    <div className="overflow-hidden rounded border border-neutral-800">
      <table className="w-full text-sm" data-testid="pipeline-list">
        <thead className="bg-neutral-900 text-left text-xs text-neutral-400">
          <tr>
            <th className="px-3 py-2 font-medium">Name</th>
            <th className="px-3 py-2 font-medium">Version</th>
            <th className="px-3 py-2 font-medium">Updated</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-neutral-800">
          {data.map((p) => (
            <tr key={p.id} data-testid="pipeline-row" className="hover:bg-neutral-900/60">
              <td className="px-3 py-2">
                <Link href={`/pipelines/${p.id}`} className="font-medium text-sky-400 hover:text-sky-300">
                  {p.name}
                </Link>
                <Link href={`/pipelines/${p.id}/schedules`} className="ml-3 text-xs text-neutral-400 hover:text-neutral-100">
                  Schedules &amp; triggers
                </Link>
                {p.description ? <p className="truncate text-xs text-neutral-500">{p.description}</p> : null}
              </td>
              <td className="px-3 py-2 tabular-nums text-neutral-300">{p.latestVersion > 0 ? `v${p.latestVersion}` : 'Not saved'}</td>
              <td className="px-3 py-2 text-neutral-400">{formatDateTime(p.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
