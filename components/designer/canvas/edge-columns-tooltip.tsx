'use client';
import { useCompileView } from '../compile-context';
import { columnsFromEdge } from '../compile-view';
import type { DesignerEdge } from '../document';

export interface HoveredEdge {
  edge: DesignerEdge;
  /** Pointer position inside the canvas element. */
  x: number;
  y: number;
}

const MAX_SHOWN = 24;

/** The columns flowing through the hovered edge, as the compiler last propagated them. */
export function EdgeColumnsTooltip({ hovered }: { hovered: HoveredEdge }) {
  const { schemas } = useCompileView();
  const columns = columnsFromEdge(schemas, hovered.edge);
  return (
    <div
      role="tooltip"
      data-testid="edge-columns"
      data-edge-id={hovered.edge.id}
      className="pointer-events-none absolute z-10 max-w-64 rounded border border-neutral-700 bg-neutral-900/95 px-2 py-1.5 text-xs text-neutral-200 shadow-lg"
      style={{ left: hovered.x + 12, top: hovered.y + 12 }}
    >
      {columns.length === 0 ? (
        <p className="text-neutral-500">No columns known yet.</p>
      ) : (
        <>
          <p className="mb-1 text-[10px] font-semibold tracking-wide text-neutral-500 uppercase">
            {columns.length} column{columns.length === 1 ? '' : 's'}
          </p>
          <ul className="space-y-px font-mono">
            {columns.slice(0, MAX_SHOWN).map((c) => (
              <li key={c.name} className="flex justify-between gap-3">
                <span className="truncate">{c.name}</span>
                <span className="text-neutral-500">{c.type}</span>
              </li>
            ))}
          </ul>
          {columns.length > MAX_SHOWN ? <p className="mt-1 text-neutral-500">…and {columns.length - MAX_SHOWN} more</p> : null}
        </>
      )}
    </div>
  );
}
