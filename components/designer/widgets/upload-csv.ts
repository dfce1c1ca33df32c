// Sends a CSV file to the server, which stores it in the workspace and sniffs
// its dialect and columns. The answer is merged into a csv-source config.
import { z } from 'zod';
import { ColumnSchema } from '@/server/pipeline/types';

const UploadedSchema = z.object({
  path: z.string(),
  delimiter: z.string(),
  quote: z.string(),
  escape: z.string(),
  header: z.boolean(),
  columns: z.array(ColumnSchema),
});
export type UploadedCsv = z.infer<typeof UploadedSchema>;

const UploadErrorSchema = z.object({ error: z.string() });

export type UploadResult = { ok: true; csv: UploadedCsv } | { ok: false; message: string };

export async function uploadCsv(file: File, fetchImpl: typeof fetch = fetch): Promise<UploadResult> {
  let response: Response;
  try {
    response = await fetchImpl(`/api/uploads?filename=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
  } catch {
    return { ok: false, message: 'Could not reach the server to upload the file.' };
  }
  const body: unknown = await response.json().catch(() => null);
  const failure = UploadErrorSchema.safeParse(body);
  if (!response.ok || failure.success) {
    return { ok: false, message: failure.success ? failure.data.error : `Upload failed (${response.status} ${response.statusText})` };
  }
  const parsed = UploadedSchema.safeParse(body);
  return parsed.success ? { ok: true, csv: parsed.data } : { ok: false, message: 'The server answered the upload in an unexpected format.' };
}
