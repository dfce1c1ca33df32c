// Reading node config values, which are stored as unknown until the compiler
// validates them. Drafts are allowed to be incomplete, so these readers accept
// partial values and fill gaps instead of rejecting the whole value.
import { ColumnTypeSchema, type Column, type ColumnType } from '@/server/pipeline/types';
import { FilterOperators, type FilterOperator } from '@/server/pipeline/nodes/filter';

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const readString = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

export const readBoolean = (value: unknown): boolean => value === true;

export function readStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const isColumnType = (value: unknown): value is ColumnType => ColumnTypeSchema.safeParse(value).success;

export function readColumns(value: unknown): Column[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((c) => ({ name: readString(c.name), type: isColumnType(c.type) ? c.type : 'string' }));
}

/** One filter rule; groups of them are read by condition-tree.ts. */
export interface ConditionRule {
  column: string;
  op: FilterOperator;
  value: string;
}

export const isFilterOperator = (value: unknown): value is FilterOperator => typeof value === 'string' && Object.hasOwn(FilterOperators, value);

/** The text a number input shows for a stored value: numbers and numeric strings; anything else is blank. */
export function formatNumberInput(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return value.trim();
  return '';
}

/** The number to store for a number input's text; `undefined` (remove the value) when blank or not a number. */
export function parseNumberInput(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
