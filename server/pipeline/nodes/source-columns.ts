// Pieces shared by file sources whose declared columns are the contract.
import type { z } from 'zod';
import type { ColumnLineage } from '../define-node';
import type { Column } from '../types';

/** DuckDB column names are case-insensitive: "id" and "ID" collide. */
export function checkUniqueColumns(columns: Column[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  columns.forEach((col, i) => {
    const key = col.name.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `Column "${col.name}" is declared twice (names are case-insensitive)` });
    seen.add(key);
  });
}

export function readLineage(columns: Column[]): Record<string, ColumnLineage> {
  return Object.fromEntries(columns.map((c) => [c.name, { from: [], how: 'read' as const }]));
}
