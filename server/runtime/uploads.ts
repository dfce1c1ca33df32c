// Streams an uploaded file to the workspace's uploads folder (never holding it
// in memory, stopping at the size limit), then reads its settings so the
// source can fill them in: CSV dialect and columns, JSON layout and columns,
// Parquet footer columns, or an Excel sheet's header.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { inspectExcel } from '../connectors/files/excel';
import { inspectJson, inspectParquet } from '../connectors/files/inspect';
import { sniffCsv } from '../engine/sniff';
import { workspaceDir } from '../engine/files';
import { AppError, isAppError } from '../errors';
import type { UploadFormat } from '../pipeline/define-node';

/** What the upload widget merges into the source's config: `path` plus the settings read from the file. */
export type StoredUpload = { path: string } & Record<string, unknown>;

const extensionsOf: Record<UploadFormat, string[]> = {
  csv: ['.csv'],
  json: ['.json', '.ndjson', '.jsonl'],
  parquet: ['.parquet'],
  excel: ['.xlsx'],
};

export const uploadFormats = Object.keys(extensionsOf) as UploadFormat[];

export function safeFileName(name: string, format: UploadFormat = 'csv'): string {
  const base = path.basename(name).normalize('NFC').replace(/[^\w\-. ]+/g, '_').replace(/^\.+/, '').slice(0, 120);
  const allowed = extensionsOf[format];
  if (!base || !allowed.some((ext) => base.toLowerCase().endsWith(ext))) throw new AppError('BAD_INPUT', `Upload a ${allowed.join(' or ')} file`);
  return base;
}

async function readSettings(format: UploadFormat, file: string, tempDir: string): Promise<Record<string, unknown>> {
  try {
    switch (format) {
      case 'csv':
        return { ...(await sniffCsv(file, tempDir)) };
      case 'json':
        return { ...(await inspectJson(file, tempDir)) };
      case 'parquet':
        return { ...(await inspectParquet(file, tempDir)) };
      case 'excel':
        return { ...(await inspectExcel(file)) };
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

export async function storeUpload(input: {
  dataDir: string;
  workspaceId: string;
  fileName: string;
  body: ReadableStream<Uint8Array>;
  maxBytes: number;
  format?: UploadFormat;
}): Promise<StoredUpload> {
  const format = input.format ?? 'csv';
  const name = safeFileName(input.fileName, format);
  const relative = `uploads/${randomUUID()}/${name}`;
  const root = workspaceDir(input.dataDir, input.workspaceId);
  const target = path.join(root, relative);
  await mkdir(path.dirname(target), { recursive: true });
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > input.maxBytes) callback(tooLarge(input.maxBytes));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(input.body as WebReadableStream<Uint8Array>), limit, createWriteStream(target, { flags: 'wx' }));
    if (bytes === 0) throw new AppError('BAD_INPUT', 'The file is empty');
    const settings = await readSettings(format, target, path.join(input.dataDir, 'tmp', `sniff-${randomUUID()}`));
    return { path: relative, ...settings };
  } catch (error) {
    await rm(path.dirname(target), { recursive: true, force: true });
    throw error;
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('UPLOAD_TOO_LARGE', `The file is larger than the upload limit of ${maxBytes} bytes (SLUICE_UPLOAD_MAX_BYTES)`, { maxBytes });
}

/**
 * Answers POST /api/uploads?filename=…&format=… for a signed-in member of
 * `workspaceId`: 413 when the file is over the limit (refused from its
 * Content-Length before reading, or when the stream passes the limit), 400
 * for other mistakes.
 */
export async function handleUpload(request: Request, o: { dataDir: string; workspaceId: string; maxBytes: number }): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const fileName = params.get('filename');
  const format = params.get('format') ?? 'csv';
  if (!fileName || !request.body) return Response.json({ error: 'Send the file as the body, with ?filename=' }, { status: 400 });
  if (!(uploadFormats as string[]).includes(format)) return Response.json({ error: `Unknown format "${format}" (one of ${uploadFormats.join(', ')})` }, { status: 400 });
  const declared = Number(request.headers.get('content-length') ?? NaN);
  try {
    if (Number.isFinite(declared) && declared > o.maxBytes) throw tooLarge(o.maxBytes);
    const stored = await storeUpload({ dataDir: o.dataDir, workspaceId: o.workspaceId, fileName, body: request.body, maxBytes: o.maxBytes, format: format as UploadFormat });
    return Response.json(stored);
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: error.message, code: error.code }, { status: error.code === 'UPLOAD_TOO_LARGE' ? 413 : 400 });
    throw error;
  }
}
