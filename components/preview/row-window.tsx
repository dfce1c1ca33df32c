'use client';
// A small windowing table: however many rows it is given, it puts only those
// scrolled into view (plus a few either side) into the page.
import { useState, type UIEvent } from 'react';

export const ROW_HEIGHT = 24;
export const VIEWPORT_ROWS = 12;
export const OVERSCAN = 4;

/** The rows [first, last) to render for a scroll position, with `overscan` extra rows either side, clamped to the rows there are. */
export function visibleRange(scrollTop: number, total: number, { rowHeight = ROW_HEIGHT, viewportRows = VIEWPORT_ROWS, overscan = OVERSCAN } = {}): { first: number; last: number } {
  const top = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const first = Math.min(Math.max(0, top - overscan), Math.max(0, total - 1));
  const last = Math.min(total, top + viewportRows + overscan);
  return { first: Math.min(first, last), last };
}

const cell = (value: unknown): string => (value === null || value === undefined ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value));

/** Rows in a fixed-height scroller; only the window in view is rendered, each row absolutely placed at its offset. */
export function RowWindow({ columns, rows }: { columns: string[]; rows: readonly Record<string, unknown>[] }) {
  const [scrollTop, setScrollTop] = useState(0);
  const { first, last } = visibleRange(scrollTop, rows.length);
  const template = `repeat(${Math.max(1, columns.length)}, minmax(8rem, 1fr))`;
  return (
    <div className="overflow-x-auto" data-testid="preview-rows" data-total-rows={rows.length}>
      <div className="grid font-semibold text-neutral-300" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c} className="truncate px-1 font-mono">
            {c}
          </div>
        ))}
      </div>
      <div
        className="overflow-y-auto"
        data-testid="preview-rows-scroller"
        style={{ height: ROW_HEIGHT * Math.min(VIEWPORT_ROWS, Math.max(1, rows.length)) }}
        onScroll={(e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => (
            <div
              key={first + i}
              role="row"
              data-row-index={first + i}
              className="grid font-mono text-xs"
              style={{ gridTemplateColumns: template, position: 'absolute', top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }}
            >
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
