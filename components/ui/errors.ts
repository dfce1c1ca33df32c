// Turning errors from tRPC, fetch or auth calls into one sentence a person can act on.
import { TRPCClientError } from '@trpc/client';

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : []);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The tRPC error code (e.g. 'CONFLICT'), or null when the error did not come from the server. */
export function trpcErrorCode(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data: unknown = error.data;
  return isRecord(data) && typeof data.code === 'string' ? data.code : null;
}

/** The first message from the server's zod error, if the input was rejected field by field. */
function firstValidationMessage(data: unknown): string | null {
  if (!isRecord(data) || !isRecord(data.zodError)) return null;
  const { formErrors, fieldErrors } = data.zodError;
  const messages = [...strings(formErrors), ...(isRecord(fieldErrors) ? Object.values(fieldErrors).flatMap(strings) : [])];
  return messages[0] ?? null;
}

export function errorMessage(error: unknown, fallback = 'Something went wrong. Try again.'): string {
  if (error instanceof TRPCClientError) return firstValidationMessage(error.data) ?? (error.message || fallback);
  if (error instanceof Error) return error.message || fallback;
  return fallback;
}
