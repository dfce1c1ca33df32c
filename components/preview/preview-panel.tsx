'use client';
// Preview of one node's output: the server runs the sub-graph upstream of it on
// a sample (destinations never run) and sends at most `limit` rows plus column
// statistics. Rows are rendered in a window (RowWindow): only those scrolled into view.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { VisualPipeline } from '@/server/pipeline/model';
import { useTRPC } from '@/components/trpc';
import { buttonClass } from '@/components/ui/styles';
import { errorMessage } from '@/components/ui/errors';
import { toCompileDocument } from '@/components/designer/document';
import { useDesignerStoreApi } from '@/components/designer/store-context';
import { RowWindow } from './row-window';

/** A "Preview" button for the selected node that opens the panel with a snapshot of the current draft. */
export function PreviewButton({ nodeId }: { nodeId: string }) {
  const store = useDesignerStoreApi();
  const [document, setDocument] = useState<VisualPipeline | null>(null);
  const snapshot = () => {
    const state = store.getState();
    return toCompileDocument(state.nodes, state.edges, state.parameters);
  };
  return (
    <>
      <button type="button" className={buttonClass.secondary} data-testid="preview-button" onClick={() => setDocument(snapshot())}>
        Preview
      </button>
      {document && <PreviewPanel document={document} nodeId={nodeId} onRefresh={() => setDocument(snapshot())} onClose={() => setDocument(null)} />}
    </>
  );
}

export function PreviewPanel({ document, nodeId, onRefresh, onClose }: { document: VisualPipeline; nodeId: string; onRefresh: () => void; onClose: () => void }) {
  const trpc = useTRPC();
  const [limit, setLimit] = useState(100);
  // Opened on a result this page already had: as cached as the server's own cache, and instant.
  const [openedAt] = useState(() => Date.now());
  const { data, error, isFetching, dataUpdatedAt } = useQuery({
    ...trpc.pipeline.preview.queryOptions({ document, nodeId, limit }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: false,
  });
  return (
    <section
      role="dialog"
      aria-label="Preview"
      data-testid="preview-panel"
      className="fixed inset-x-4 bottom-4 z-50 max-h-[60vh] overflow-auto rounded border border-neutral-700 bg-neutral-950 p-3 text-sm shadow-xl"
    >
      <header className="mb-2 flex items-center gap-2">
        <h2 className="font-semibold">Preview</h2>
        {data?.ok && (
          <span className="text-xs text-neutral-400" data-testid="preview-summary">
            {data.rows.length} of {data.totalRows} row(s){data.sampled ? ` — from a sample of ${data.sampleRows.toLocaleString()} rows per source` : ''}
            {data.cached || dataUpdatedAt < openedAt ? (
              <span data-testid="preview-cached" title={data.cached ? 'The server had this preview already: nothing upstream changed' : 'Shown from this page\'s earlier preview'}>
                {' '}
                (cached)
              </span>
            ) : null}
          </span>
        )}
        <label className="ml-auto text-xs text-neutral-400">
          Rows{' '}
          <select className="rounded border border-neutral-700 bg-neutral-900 px-1" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {[100, 500, 1000].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className={buttonClass.secondary} onClick={onRefresh} disabled={isFetching}>
          Refresh
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onClose}>
          Close
        </button>
      </header>
      {isFetching && !data && <p className="text-neutral-400">Running the upstream nodes on a sample…</p>}
      {error && <p className="text-red-400">{errorMessage(error)}</p>}
      {data && !data.ok && (
        <ul className="space-y-1 text-red-400" data-testid="preview-diagnostics">
          {data.diagnostics.map((d, i) => (
            <li key={i}>
              {d.nodeId ? `${d.nodeId}: ` : ''}
              {d.message}
            </li>
          ))}
        </ul>
      )}
      {data?.ok && (
        <div className="space-y-3">
          <RowWindow columns={data.columns.map((c) => c.name)} rows={data.rows} />
          <table className="w-full text-xs" data-testid="preview-stats">
            <thead className="text-left text-neutral-400">
              <tr>
                <th>Column</th>
                <th>Type</th>
                <th>Nulls</th>
                <th>Distinct</th>
                <th>Min</th>
                <th>Max</th>
              </tr>
            </thead>
            <tbody>
              {data.stats.map((s) => (
                <tr key={s.name} data-column={s.name}>
                  <td className="font-mono">{s.name}</td>
                  <td>{s.type}</td>
                  <td>{s.nulls}</td>
                  <td>{s.distinct}</td>
                  <td className="max-w-48 truncate font-mono">{s.min ?? '—'}</td>
                  <td className="max-w-48 truncate font-mono">{s.max ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
