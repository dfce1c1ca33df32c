// The values a manual run is started with, from the run dialog's inputs:
// prefilled from the defaults, checked as the run start would check them, so
// the dialog names the parameter before anything is sent. Pure.
import type { ParameterDeclaration } from '@/server/pipeline/model';
import { coerceParameterValue, type ParameterInput } from '@/server/pipeline/parameters';
import { AppError } from '@/server/errors';

/** The dialog's text per parameter: its default, or empty. */
export function initialRunTexts(parameters: readonly ParameterDeclaration[]): Record<string, string> {
  return Object.fromEntries(parameters.map((p) => [p.name, p.default === undefined ? '' : String(p.default)]));
}

export type RunValues = { ok: true; values: ParameterInput } | { ok: false; errors: Record<string, string> };

/**
 * Checks every value against its parameter's type. An empty input leaves the
 * parameter to its default; without one it is an error. Text is sent as typed
 * (the server types it again), except that an empty text parameter without a
 * default is sent as the empty text.
 */
export function runValues(parameters: readonly ParameterDeclaration[], texts: Readonly<Record<string, string>>): RunValues {
  const values: ParameterInput = {};
  const errors: Record<string, string> = {};
  for (const decl of parameters) {
    const text = texts[decl.name] ?? '';
    if (text.trim() === '' && decl.type !== 'string') {
      if (decl.default === undefined) errors[decl.name] = `Parameter "${decl.name}" needs a value (${decl.type === 'float' ? 'a number' : decl.type})`;
      continue;
    }
    try {
      coerceParameterValue(decl, text);
      values[decl.name] = text;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors[decl.name] = error.message;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values };
}
