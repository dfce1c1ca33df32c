import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspaceDir } from '../engine/files';
import { ordersCsv } from '../testing/pipelines';
import { safeFileName, storeUpload } from './uploads';

const workspaceId = randomUUID();
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-uploads-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function streamOf(text: string, chunkSize = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(offset, (offset += chunkSize)));
    },
  });
}

describe('storeUpload', () => {
  it('streams the file into the workspace and returns the sniffed CSV settings', async () => {
    const stored = await storeUpload({ dataDir, workspaceId, fileName: 'My Orders.csv', body: streamOf(ordersCsv), maxBytes: 1_000_000 });
    expect(stored.path).toMatch(/^uploads\/[0-9a-f-]{36}\/My Orders\.csv$/);
    expect(stored).toMatchObject({ delimiter: ',', header: true });
    expect(stored.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['order_id:integer', 'customer:string', 'amount:float', 'status:string']);
    expect(await readFile(path.join(workspaceDir(dataDir, workspaceId), stored.path), 'utf8')).toBe(ordersCsv);
  });

  it('stops at the size limit and keeps nothing', async () => {
    await expect(storeUpload({ dataDir, workspaceId, fileName: 'big.csv', body: streamOf(ordersCsv), maxBytes: 20 })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('upload limit of 20 bytes') as unknown,
    });
    expect(await readdir(path.join(workspaceDir(dataDir, workspaceId), 'uploads'))).toEqual([]);
  });

  it('refuses empty files', async () => {
    await expect(storeUpload({ dataDir, workspaceId, fileName: 'e.csv', body: streamOf(''), maxBytes: 100 })).rejects.toMatchObject({ message: 'The file is empty' });
  });
});

describe('safeFileName', () => {
  it('keeps the base name and replaces anything unusual', () => {
    expect(safeFileName('../../etc/passwd.csv')).toBe('passwd.csv');
    expect(safeFileName('a;b$(x).csv')).toBe('a_b_x_.csv');
    expect(safeFileName('.hidden.csv')).toBe('hidden.csv');
  });
  it('accepts only .csv files', () => {
    expect(() => safeFileName('report.xlsx')).toThrow('Upload a .csv file');
  });
});
