import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspaceDir } from '../engine/files';
import { ordersCsv } from '../testing/pipelines';
import { handleUpload, safeFileName, storeUpload } from './uploads';

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
    expect(stored.columns).toEqual([
      { name: 'order_id', type: 'integer' },
      { name: 'customer', type: 'string' },
      { name: 'amount', type: 'float' },
      { name: 'status', type: 'string' },
    ]);
    expect(await readFile(path.join(workspaceDir(dataDir, workspaceId), stored.path), 'utf8')).toBe(ordersCsv);
  });

  it('stops at the size limit and keeps nothing', async () => {
    await expect(storeUpload({ dataDir, workspaceId, fileName: 'big.csv', body: streamOf(ordersCsv), maxBytes: 20 })).rejects.toMatchObject({
      code: 'UPLOAD_TOO_LARGE',
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
  it('accepts the extensions of the other formats', () => {
    expect(safeFileName('a.ndjson', 'json')).toBe('a.ndjson');
    expect(safeFileName('b.XLSX', 'excel')).toBe('b.XLSX');
    expect(() => safeFileName('c.csv', 'parquet')).toThrow('Upload a .parquet file');
  });
});

describe('handleUpload', () => {
  const request = (body: ReadableStream<Uint8Array>, query: string, headers: Record<string, string> = {}) =>
    new Request(`http://localhost/api/uploads?${query}`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

  it('answers 413 with a clear message when a streamed file passes the limit, keeping nothing', async () => {
    const big = 'id,name\n' + '1,abcdefghij\n'.repeat(2_000);
    const response = await handleUpload(request(streamOf(big, 1024), 'filename=big.csv'), { dataDir, workspaceId, maxBytes: 10_000 });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 'UPLOAD_TOO_LARGE', error: 'The file is larger than the upload limit of 10000 bytes (SLUICE_UPLOAD_MAX_BYTES)' });
    expect(await readdir(path.join(workspaceDir(dataDir, workspaceId), 'uploads'))).toEqual([]);
  });

  it('answers 413 from the declared Content-Length before reading the body', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10));
      },
    });
    const response = await handleUpload(request(body, 'filename=big.csv', { 'content-length': '20000' }), { dataDir, workspaceId, maxBytes: 10_000 });
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('stores and reads each format: JSON layout and columns', async () => {
    const response = await handleUpload(request(streamOf('{"id": 1, "tags": [1]}\n{"id": 2, "tags": null}\n'), 'filename=o.ndjson&format=json'), { dataDir, workspaceId, maxBytes: 1_000 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ format: 'ndjson', columns: [{ name: 'id', type: 'integer' }, { name: 'tags', type: 'string' }] });
  });

  it('answers 400 for an unknown format or a file that is not what it claims', async () => {
    expect((await handleUpload(request(streamOf('x'), 'filename=a.csv&format=xml'), { dataDir, workspaceId, maxBytes: 100 })).status).toBe(400);
    const notParquet = await handleUpload(request(streamOf('id\n1\n'), 'filename=a.parquet&format=parquet'), { dataDir, workspaceId, maxBytes: 100 });
    expect(notParquet.status).toBe(400);
    expect(await notParquet.json()).toMatchObject({ code: 'BAD_INPUT', error: expect.stringMatching(/^Could not read the file as Parquet/) as unknown });
  });
});
