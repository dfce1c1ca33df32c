import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectEncoding, sniffCsv } from './sniff';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-sniff-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sniff(content: string | Uint8Array) {
  const file = path.join(dir, 'f.csv');
  await writeFile(file, content);
  return sniffCsv(file, path.join(dir, 'tmp'));
}

const utf16le = (text: string): Uint8Array => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('detectEncoding', () => {
  it('follows a byte-order mark, then tells UTF-8 from Latin-1 by validity', () => {
    expect(detectEncoding(utf16le('a'))).toBe('utf-16');
    expect(detectEncoding(Buffer.from('\uFEFFa,b', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('a,émile', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('a,\xe9mile', 'latin1'))).toBe('latin-1');
    expect(detectEncoding(new Uint8Array())).toBe('utf-8');
  });

  it('refuses UTF-16 big-endian, which DuckDB would read as an empty file', () => {
    expect(() => detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toThrow(/UTF-16 big-endian/);
  });

  it('does not mistake a UTF-8 character cut at the end of the sample for Latin-1', () => {
    const sample = Buffer.alloc(64 * 1024, 'a');
    Buffer.from('é', 'utf8').copy(sample, sample.length - 1, 0, 1);
    expect(detectEncoding(sample)).toBe('utf-8');
  });
});

describe('sniffCsv', () => {
  it('finds delimiter, quote, header and column types', async () => {
    expect(await sniff('id;name;amount\n1;"a;b";2.5\n2;"c";3\n')).toEqual({
      delimiter: ';',
      quote: '"',
      escape: '"',
      header: true,
      encoding: 'utf-8',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'string' },
        { name: 'amount', type: 'float' },
      ],
    });
  });

  it('finds a backslash escape and a single-quote quote', async () => {
    const sniffed = await sniff("id|note\n1|'it\\'s'\n2|'a|b'\n3|'x'\n");
    expect(sniffed).toMatchObject({ delimiter: '|', quote: "'", escape: '\\', header: true });
  });

  it('tells a file without a header', async () => {
    expect(await sniff('1,2.5,x\n2,3.5,y\n3,4.5,z\n')).toMatchObject({ header: false, columns: [{ type: 'integer' }, { type: 'float' }, { type: 'string' }] });
  });

  it('reads UTF-16 and Latin-1 files, naming their encoding', async () => {
    expect(await sniff(utf16le('id,name\n1,émile\n2,zoë\n'))).toMatchObject({ encoding: 'utf-16', header: true, columns: [{ name: 'id', type: 'integer' }, { name: 'name', type: 'string' }] });
    expect(await sniff(Buffer.from('id,name\n1,\xe9mile\n2,zo\xeb\n', 'latin1'))).toMatchObject({ encoding: 'latin-1', columns: [{ name: 'id' }, { name: 'name' }] });
  });
});
