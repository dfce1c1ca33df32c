// The windowing arithmetic, and what the table puts into the page for many rows.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { OVERSCAN, ROW_HEIGHT, RowWindow, VIEWPORT_ROWS, visibleRange } from './row-window';

describe('visibleRange', () => {
  it('renders the rows in view plus the overscan after them at the top', () => {
    expect(visibleRange(0, 1000)).toEqual({ first: 0, last: VIEWPORT_ROWS + OVERSCAN });
  });

  it('follows the scroll position, with overscan on both sides', () => {
    const top = 500;
    expect(visibleRange(top * ROW_HEIGHT, 1000)).toEqual({ first: top - OVERSCAN, last: top + VIEWPORT_ROWS + OVERSCAN });
    // Part-way into a row still counts that row as the first in view.
    expect(visibleRange(top * ROW_HEIGHT + ROW_HEIGHT / 2, 1000).first).toBe(top - OVERSCAN);
  });

  it('stops at the last row and never goes negative', () => {
    expect(visibleRange(999 * ROW_HEIGHT, 1000)).toEqual({ first: 995, last: 1000 });
    expect(visibleRange(10_000 * ROW_HEIGHT, 1000)).toEqual({ first: 999, last: 1000 });
    expect(visibleRange(-50, 3)).toEqual({ first: 0, last: 3 });
    expect(visibleRange(0, 0)).toEqual({ first: 0, last: 0 });
  });

  it('honours other row heights and window sizes', () => {
    expect(visibleRange(100, 50, { rowHeight: 10, viewportRows: 5, overscan: 1 })).toEqual({ first: 9, last: 16 });
  });
});

describe('RowWindow', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: i % 7 === 0 ? null : `row ${i}` }));

  it('puts only the first window of 1,000 rows into the page, sized for all of them', () => {
    const html = renderToStaticMarkup(<RowWindow columns={['id', 'name']} rows={rows} />);
    const rendered = [...html.matchAll(/data-row-index="(\d+)"/g)].map((m) => Number(m[1]));
    expect(rendered).toEqual(Array.from({ length: VIEWPORT_ROWS + OVERSCAN }, (_, i) => i));
    expect(html).toContain(`height:${1000 * ROW_HEIGHT}px`);
    expect(html).toContain(`top:${3 * ROW_HEIGHT}px`);
    expect(html).not.toContain('row 999');
  });

  it('shows NULL for missing values and text as it is', () => {
    const html = renderToStaticMarkup(<RowWindow columns={['id', 'name']} rows={rows.slice(0, 2)} />);
    expect(html).toContain('>NULL<');
    expect(html).toContain('>row 1<');
    expect(html).toContain(`height:${2 * ROW_HEIGHT}px`);
  });
});
