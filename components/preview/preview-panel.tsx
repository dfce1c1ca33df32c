'use client';
// Preview of one node's output: the server runs the sub-graph upstream of it on
// a sample (destinations never run) and sends at most `limit` rows plus column
// statistics. Rows are rendered in a window: only those scrolled into view.
import { useQuery } from '@tanstack/react-query';
import { useState, type UIEvent } from 'react';
import type { VisualPipeline } from '@/server/pipeline/model';
import { useTRPC } from '@/components/trpc';
import { buttonClass } from '@/components/ui/styles';
import { errorMessage } from '@/components/ui/errors';
import { toCompileDocument } from '@/components/designer/document';
import { useDesignerStoreApi } from '@/components/designer/store-context';

const ROW_HEIGHT = 24;
const VIEWPORT_ROWS = 12;
const OVERSCAN = 4;

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
  const { data, error, isFetching } = useQuery({
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
          <span className="text-xs text-neutral-400">
            {data.rows.length} of {data.totalRows} row(s){data.sampled ? ` — from a sample of ${data.sampleRows.toLocaleString()} rows per source` : ''}
            {data.cached ? ' (cached)' : ''}
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
                <tr key={s.name}>
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

const cell = (value: unknown): string => (value === null || value === undefined ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value));

/** Renders only the rows in view (plus a few either side) inside a fixed-height scroller. */
function RowWindow({ columns, rows }: { columns: string[]; rows: Record<string, unknown>[] }) {
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, first + VIEWPORT_ROWS + 2 * OVERSCAN);
  const template = `repeat(${Math.max(1, columns.length)}, minmax(8rem, 1fr))`;
  return (
    <div className="overflow-x-auto" data-testid="preview-rows">
      <div className="grid font-semibold text-neutral-300" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c} className="truncate px-1 font-mono">
            {c}
          </div>
        ))}
      </div>
      <div className="overflow-y-auto" style={{ height: ROW_HEIGHT * Math.min(VIEWPORT_ROWS, Math.max(1, rows.length)) }} onScroll={(e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => (
            <div key={first + i} className="grid font-mono text-xs" style={{ gridTemplateColumns: template, position: 'absolute', top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }}>
              {columns.map((c) => (
                <div key={c} className={`truncate px-1 ${row[c] === null ? 'text-neutral-500' : ''}`}>
                  {cell(row[c])}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
