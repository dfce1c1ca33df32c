import { describe, expect, it } from 'vitest';
import { uploadCsv, uploadFile } from './upload-csv';

const file = new File(['id,name\n1,a\n'], 'my orders.csv', { type: 'text/csv' });

function respond(status: number, body: unknown): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fake: typeof fetch = (input) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  };
  return { fetch: fake, urls };
}

describe('uploadCsv', () => {
  it('posts the file under its name and returns what the server sniffed', async () => {
    const sniffed = { path: 'uploads/my orders.csv', delimiter: ',', quote: '"', escape: '"', header: true, columns: [{ name: 'id', type: 'integer' }] };
    const { fetch, urls } = respond(200, sniffed);
    await expect(uploadCsv(file, fetch)).resolves.toEqual({ ok: true, csv: sniffed });
    expect(urls).toEqual(['/api/uploads?filename=my%20orders.csv']);
  });

  it('passes on the server’s error message', async () => {
    const { fetch } = respond(413, { error: 'The file is larger than 100 MB' });
    await expect(uploadCsv(file, fetch)).resolves.toEqual({ ok: false, message: 'The file is larger than 100 MB' });
  });

  it('reports unexpected answers and network failures', async () => {
    await expect(uploadCsv(file, respond(200, { path: 1 }).fetch)).resolves.toMatchObject({ ok: false });
    const offline: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(uploadCsv(file, offline)).resolves.toEqual({ ok: false, message: 'Could not reach the server to upload the file.' });
  });
});

describe('uploadFile', () => {
  it('names the format in the request and passes on the settings read from the file', async () => {
    const settings = { path: 'uploads/x/b.xlsx', sheet: 'Orders', headerRow: 1, columns: [{ name: 'id', type: 'integer' }] };
    const { fetch, urls } = respond(200, settings);
    await expect(uploadFile(new File(['x'], 'b.xlsx'), 'excel', fetch)).resolves.toEqual({ ok: true, settings });
    expect(urls).toEqual(['/api/uploads?filename=b.xlsx&format=excel']);
  });

  it('passes on a 413 answer’s message', async () => {
    const { fetch } = respond(413, { error: 'The file is larger than the upload limit of 10 bytes (SLUICE_UPLOAD_MAX_BYTES)', code: 'UPLOAD_TOO_LARGE' });
    await expect(uploadFile(new File(['x'], 'b.parquet'), 'parquet', fetch)).resolves.toEqual({ ok: false, message: 'The file is larger than the upload limit of 10 bytes (SLUICE_UPLOAD_MAX_BYTES)' });
  });
});
