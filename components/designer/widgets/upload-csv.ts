// Sends a file to the server, which stores it in the workspace and reads its
// settings (CSV dialect, JSON layout, Parquet or Excel columns). The answer is
// merged into the source's config.
import { z } from 'zod';
import type { UploadFormat } from '@/server/pipeline/define-node';
import { ColumnSchema } from '@/server/pipeline/types';

const UploadedSchema = z.object({
  path: z.string(),
  delimiter: z.string(),
  quote: z.string(),
  escape: z.string(),
  header: z.boolean(),
  encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
  columns: z.array(ColumnSchema),
});

/** Other formats: a path, columns, and format-specific settings (JSON layout; Excel sheet and header row). */
const UploadedFileSchema = z.looseObject({ path: z.string(), columns: z.array(ColumnSchema) });
export type UploadedFile = z.infer<typeof UploadedFileSchema>;
export type UploadedCsv = z.infer<typeof UploadedSchema>;

const UploadErrorSchema = z.object({ error: z.string() });

export type UploadResult = { ok: true; csv: UploadedCsv } | { ok: false; message: string };

/** What each format's widget accepts in the file picker. */
export const acceptOf: Record<UploadFormat, string> = {
  csv: '.csv,text/csv',
  json: '.json,.ndjson,.jsonl,application/json',
  parquet: '.parquet',
  excel: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export async function uploadCsv(file: File, fetchImpl: typeof fetch = fetch): Promise<UploadResult> {
  const result = await uploadFile(file, 'csv', fetchImpl);
  if (!result.ok) return result;
  const parsed = UploadedSchema.safeParse(result.settings);
  return parsed.success ? { ok: true, csv: parsed.data } : { ok: false, message: 'The server answered the upload in an unexpected format.' };
}

export type FileUploadResult = { ok: true; settings: UploadedFile } | { ok: false; message: string };

export async function uploadFile(file: File, format: UploadFormat, fetchImpl: typeof fetch = fetch): Promise<FileUploadResult> {
  let response: Response;
  const query = `filename=${encodeURIComponent(file.name)}${format === 'csv' ? '' : `&format=${format}`}`;
  try {
    response = await fetchImpl(`/api/uploads?${query}`, { method: 'POST', body: file });
  } catch {
    return { ok: false, message: 'Could not reach the server to upload the file.' };
  }
  const body: unknown = await response.json().catch(() => null);
  const failure = UploadErrorSchema.safeParse(body);
  if (!response.ok || failure.success) {
    return { ok: false, message: failure.success ? failure.data.error : `Upload failed (${response.status} ${response.statusText})` };
  }
  const parsed = UploadedFileSchema.safeParse(body);
  return parsed.success ? { ok: true, settings: parsed.data } : { ok: false, message: 'The server answered the upload in an unexpected format.' };
}
