'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { selectDocument } from '@/components/designer/store';
import { useDesignerStoreApi } from '@/components/designer/store-context';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { formatWhen } from '@/components/ui/format';
import { buttonClass } from '@/components/ui/styles';
import { diffPipelines } from '@/server/pipeline/diff';
import { DiffView } from './diff-view';
import { reloadLatest } from './reload';

/**
 * Shown when a save was refused because someone saved a newer version: says
 * who and when, and lets the user take theirs or, after seeing what would
 * change, save the canvas on top of it. Nothing is overwritten without that.
 */
export function ConflictWarning({ pipelineId, baseVersion, onDismiss }: { pipelineId: string; baseVersion: number; onDismiss: () => void }) {
  const trpc = useTRPC();
  const store = useDesignerStoreApi();
  const [reviewing, setReviewing] = useState(false);
  const versions = useQuery({ ...trpc.pipeline.versions.queryOptions({ id: pipelineId }), staleTime: 0 });
  const latest = versions.data?.[0];
  const theirs = useQuery({ ...trpc.pipeline.version.queryOptions({ id: pipelineId, version: latest?.version ?? 1 }), enabled: reviewing && latest !== undefined });
  const keepMine = useMutation({ ...trpc.pipeline.save.mutationOptions(), onSuccess: () => reloadLatest(store, pipelineId) });
  const mine = selectDocument(store.getState());

  return (
    <div role="alertdialog" aria-label="Newer version saved" data-testid="conflict-warning" className="fixed top-12 left-1/2 z-50 w-[32rem] -translate-x-1/2 space-y-2 rounded border border-amber-700 bg-neutral-900 p-3 text-sm shadow-xl">
      <p className="font-medium text-amber-300">Your changes were not saved.</p>
      {latest ? (
        <p className="text-xs text-neutral-300" data-testid="conflict-other">
          {latest.author.name}
          {latest.author.email ? ` (${latest.author.email})` : ''} saved version {latest.version} at {formatWhen(latest.createdAt)}
          {latest.message ? ` — “${latest.message}”` : ''}, while you were editing version {baseVersion}.
        </p>
      ) : (
        <p className="text-xs text-neutral-400">Someone saved a newer version while you were editing version {baseVersion}.</p>
      )}
      {reviewing ? (
        <section aria-label="What saving yours would change" className="rounded border border-neutral-800 p-2">
          <h3 className="mb-1 text-xs font-medium text-neutral-300">Saving yours would change their version {latest?.version} like this:</h3>
          {theirs.data ? <DiffView diff={diffPipelines(theirs.data.document, mine)} /> : <p className="text-xs text-neutral-500">Comparing…</p>}
        </section>
      ) : null}
      {keepMine.error ? <p role="alert" className="text-xs text-red-300">{errorMessage(keepMine.error, 'Could not save your version')}</p> : null}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass.secondary} onClick={() => reloadLatest(store, pipelineId)}>
          Load theirs
        </button>
        {reviewing && latest && theirs.data ? (
          <button
            type="button"
            className={buttonClass.primary}
            disabled={keepMine.isPending}
            onClick={() => keepMine.mutate({ id: pipelineId, document: mine, baseVersion: latest.version, message: `Kept my changes over version ${latest.version}` })}
          >
            Save mine as version {latest.version + 1}
          </button>
        ) : (
          <button type="button" className={buttonClass.secondary} disabled={!latest} onClick={() => setReviewing(true)}>
            Review differences to keep mine
          </button>
        )}
        <button type="button" className={`${buttonClass.ghost} ml-auto`} onClick={onDismiss}>
          Not now
        </button>
      </div>
    </div>
  );
}
