// Streams an uploaded file to the workspace's uploads folder (never holding it
// in memory), then sniffs it so the CSV source can fill in its settings.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sniffCsv, type SniffedCsv } from '../engine/sniff';
import { workspaceDir } from '../engine/files';
import { AppError } from '../errors';

export interface StoredUpload extends SniffedCsv {
  /** Workspace-relative path, as a CSV source's `path` setting. */
  path: string;
}

export function safeFileName(name: string): string {
  const base = path.basename(name).normalize('NFC').replace(/[^\w\-. ]+/g, '_').replace(/^\.+/, '').slice(0, 120);
  if (!base || !/\.csv$/i.test(base)) throw new AppError('BAD_INPUT', 'Upload a .csv file');
  return base;
}

export async function storeUpload(input: { dataDir: string; workspaceId: string; fileName: string; body: ReadableStream<Uint8Array>; maxBytes: number }): Promise<StoredUpload> {
  const name = safeFileName(input.fileName);
  const relative = `uploads/${randomUUID()}/${name}`;
  const root = workspaceDir(input.dataDir, input.workspaceId);
  const target = path.join(root, relative);
  await mkdir(path.dirname(target), { recursive: true });
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > input.maxBytes) callback(new AppError('BAD_INPUT', `The file is larger than the upload limit of ${input.maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(input.body as WebReadableStream<Uint8Array>), limit, createWriteStream(target, { flags: 'wx' }));
    if (bytes === 0) throw new AppError('BAD_INPUT', 'The file is empty');
    const sniffed = await sniffCsv(target, path.join(input.dataDir, 'tmp', `sniff-${randomUUID()}`));
    return { path: relative, ...sniffed };
  } catch (error) {
    await rm(path.dirname(target), { recursive: true, force: true });
    throw error;
  }
}
