'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useDesignerStoreApi } from '@/components/designer/store-context';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatWhen } from '@/components/ui/format';
import { buttonClass, iconButtonClass } from '@/components/ui/styles';
import { DiffView } from './diff-view';
import { reloadLatest } from './reload';

interface VersionsPanelProps {
  pipelineId: string;
  /** The version the canvas is based on: restoring must not skip a newer save. */
  baseVersion: number;
  onClose: () => void;
}

/** The pipeline's saved versions: compare any two, restore an old one as the newest. */
export function VersionsPanel({ pipelineId, baseVersion, onClose }: VersionsPanelProps) {
  const trpc = useTRPC();
  const store = useDesignerStoreApi();
  const versions = useQuery({ ...trpc.pipeline.versions.queryOptions({ id: pipelineId }), staleTime: 0, refetchOnWindowFocus: false });
  // The two versions being compared; `from` is the older.
  const [picked, setPicked] = useState<number[]>([]);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [from, to] = [...picked].sort((a, b) => a - b);
  const diff = useQuery({
    ...trpc.pipeline.diff.queryOptions({ id: pipelineId, from: from ?? 1, to: to ?? 1 }),
    enabled: from !== undefined && to !== undefined,
  });
  const restore = useMutation({
    ...trpc.pipeline.restore.mutationOptions(),
    onSuccess: () => reloadLatest(store, pipelineId),
  });

  const toggle = (version: number) =>
    setPicked((current) => (current.includes(version) ? current.filter((v) => v !== version) : [...current, version].slice(-2)));

  return (
    <aside
      aria-label="Versions"
      data-testid="versions-panel"
      className="fixed top-12 right-3 z-50 flex max-h-[80dvh] w-96 flex-col gap-2 overflow-auto rounded border border-neutral-700 bg-neutral-900 p-3 text-sm shadow-xl"
    >
      <div className="flex items-center justify-between">
        <h2 className="font-medium">Versions</h2>
        <button type="button" className={iconButtonClass} onClick={onClose} aria-label="Close versions">
          ×
        </button>
      </div>
      {versions.isPending ? <p className="text-xs text-neutral-500">Loading…</p> : null}
      {versions.error ? <p role="alert" className="text-xs text-red-300">{errorMessage(versions.error, 'Could not load the versions')}</p> : null}
      {versions.data?.length === 0 ? <p className="text-xs text-neutral-400">Not saved yet.</p> : null}
      <p className="text-xs text-neutral-500">Tick two versions to compare them.</p>
      <ol className="space-y-1">
        {versions.data?.map((v) => (
          <li key={v.version} data-testid={`version-${v.version}`} className="rounded border border-neutral-800 px-2 py-1">
            <div className="flex items-center gap-2">
              <input
                type="checkbox"
                className="size-3.5 accent-sky-500"
                checked={picked.includes(v.version)}
                onChange={() => toggle(v.version)}
                aria-label={`Compare version ${v.version}`}
              />
              <span className="font-medium">v{v.version}</span>
              {v.version === baseVersion ? <span className="text-xs text-emerald-400">on canvas</span> : null}
              <span className="ml-auto text-xs text-neutral-400" title={v.createdAt.toISOString()}>
                {formatWhen(v.createdAt)}
              </span>
            </div>
            <div className="text-xs text-neutral-400" title={v.author.email ?? undefined}>
              {v.author.name} {v.message ? <span className="text-neutral-300">— {v.message}</span> : null}
            </div>
            {v.version !== baseVersion ? (
              confirming === v.version ? (
                <div className="mt-1 flex items-center gap-2 text-xs" role="group" aria-label={`Confirm restoring version ${v.version}`}>
                  <span className="text-amber-300">Save v{v.version} as the newest version? Unsaved canvas changes are discarded.</span>
                  <button type="button" className={buttonClass.primary} disabled={restore.isPending} onClick={() => restore.mutate({ id: pipelineId, version: v.version, baseVersion })}>
                    Restore
                  </button>
                  <button type="button" className={buttonClass.ghost} onClick={() => setConfirming(null)}>
                    Cancel
                  </button>
                </div>
              ) : (
                <button type="button" className="mt-1 text-xs text-sky-400 hover:text-sky-300" onClick={() => setConfirming(v.version)}>
                  Restore v{v.version}…
                </button>
              )
            ) : null}
          </li>
        ))}
      </ol>
      {restore.error ? <p role="alert" className="text-xs text-red-300">{errorMessage(restore.error, 'Could not restore the version')}</p> : null}
      {from !== undefined && to !== undefined ? (
        <section aria-label="Differences" className="border-t border-neutral-800 pt-2">
          <h3 className="mb-1 text-xs font-medium text-neutral-300">
            v{from} → v{to}
          </h3>
          {diff.data ? <DiffView diff={diff.data} /> : diff.error ? <p className="text-xs text-red-300">{errorMessage(diff.error)}</p> : <p className="text-xs text-neutral-500">Comparing…</p>}
        </section>
      ) : null}
    </aside>
  );
}
