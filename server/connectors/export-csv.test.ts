import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckSession, type DuckSession } from '../engine/duckdb';
import { exportCsv, type CsvExport, type ExportVia } from './export-csv';

let dir: string;
let session: DuckSession;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'export-csv-'));
  session = await openDuckSession(dir);
});

afterEach(async () => {
  session.close();
  await rm(dir, { recursive: true, force: true });
});

async function text(csv: Readable): Promise<string> {
  let out = '';
  for await (const chunk of csv) out += (chunk as Buffer).toString();
  return out;
}

const sql = (s: string) => ({ sql: s, params: [] });

describe.each<ExportVia>(['pipe', 'file'])('exportCsv via %s', (via) => {
  /** Exports `query` as header-less CSV through `via`, into the test's folder. */
  const exportQuery = (query: string, ends: Pick<CsvExport, 'consume' | 'meanwhile'>) => exportCsv(session.connection, { query: sql(query), options: 'FORMAT csv, HEADER false', dir, via, ...ends });

  it('hands the consumer every row, and leaves nothing in the folder', async () => {
    let received = '';
    const rows = await exportQuery('SELECT i, i * 2 AS twice FROM range(200000) t(i)', {
      consume: async (csv) => void (received = await text(csv)),
    });
    expect(rows).toBe(200_000);
    const lines = received.trimEnd().split('\n');
    expect(lines).toHaveLength(200_000);
    expect(lines[199_999]).toBe('199999,399998');
    expect(await readdir(dir)).toEqual([]);
  });

  it('runs the other work on the connection once DuckDB has written everything, while the consumer reads, and fails if it fails', async () => {
    let release: () => void = () => undefined;
    const consumerWaits = new Promise<void>((resolve) => (release = resolve));
    let otherSaw: string | undefined;
    const rows = await exportQuery('SELECT i FROM range(50000) t(i)', {
      consume: async (csv) => {
        await text(csv);
        // The consumer finishes only after the other work ran: the two overlap.
        await consumerWaits;
      },
      meanwhile: async () => {
        const reader = await session.connection.runAndReadAll('SELECT 42 AS answer');
        otherSaw = String(reader.getRows()[0]?.[0]);
        release();
      },
    });
    expect(rows).toBe(50_000);
    expect(otherSaw).toBe('42');
    await expect(
      exportQuery('SELECT i FROM range(10) t(i)', {
        consume: async (csv) => {
          await text(csv);
        },
        meanwhile: () => Promise.reject(new Error('the other work failed')),
      }),
    ).rejects.toThrow('the other work failed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with DuckDB\'s error, not a hang, when the query fails before writing anything', async () => {
    const consumed: string[] = [];
    await expect(
      exportQuery(`SELECT error('bad row ' || i) FROM range(3) t(i)`, {
        consume: async (csv) => void consumed.push(await text(csv)),
      }),
    ).rejects.toThrow(/bad row 0/);
    // Through the pipe the consumer saw the end of an empty stream; a file is never handed on. The caller rolls back on the error.
    expect(consumed).toEqual(via === 'pipe' ? [''] : []);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with DuckDB\'s error when the query fails halfway', async () => {
    await expect(
      exportQuery(`SELECT CASE WHEN i < 150000 THEN i ELSE error('row ' || i || ' is bad') END FROM range(200000) t(i)`, {
        consume: async (csv) => {
          await text(csv);
        },
      }),
    ).rejects.toThrow(/row \d+ is bad/);
  });

  it('fails with the consumer\'s error, not a hang, when the destination stops reading', async () => {
    await expect(
      exportQuery('SELECT i, repeat(\'x\', 100) FROM range(2000000) t(i)', {
        consume: async (csv) => {
          for await (const _chunk of csv) throw new Error('destination went away');
        },
      }),
    ).rejects.toThrow('destination went away');
    // The connection is usable again.
    expect((await session.connection.runAndReadAll('SELECT 42')).getRows()).toEqual([[42]]);
  });

  it('fails with the consumer\'s error when it fails before reading anything', async () => {
    await expect(
      exportQuery('SELECT i FROM range(2000000) t(i)', {
        consume: () => Promise.reject(new Error('refused at once')),
      }),
    ).rejects.toThrow('refused at once');
    expect((await session.connection.runAndReadAll('SELECT 1')).getRows()).toEqual([[1]]);
  });
});
