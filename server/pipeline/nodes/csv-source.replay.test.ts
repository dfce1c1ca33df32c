// Stored rows rendered back into a CSV source's dialect read back as the same
// values through the real CSV source: quotes, escapes, delimiters inside
// values, NULL and '' stay what they were.
import { describe, expect, it } from 'vitest';
import { runSource } from '../../testing/source-harness';
import { csvLine, CsvSourceConfig, recordLine } from './csv-source';

describe('replay lines', () => {
  it.each([
    { delimiter: ',', quote: '"', escape: '"', quotedEmptyIsNull: false },
    { delimiter: ';', quote: "'", escape: '\\', quotedEmptyIsNull: false },
    { delimiter: '\t', quote: '"', escape: '"', quotedEmptyIsNull: true },
  ])('read back as stored with delimiter %j', async (dialect) => {
    const config = CsvSourceConfig.parse({
      path: 'replay.csv',
      header: true,
      ...dialect,
      columns: [
        { name: 'name', type: 'string' },
        { name: 'Note', type: 'string' },
        { name: 'n', type: 'integer' },
        { name: 'ok', type: 'boolean' },
        { name: 'day', type: 'date' },
      ],
    });
    const stored = [
      { name: `o'brien; "jr", \\ the first`, note: 'multi\nline', n: 5, ok: true, day: '2026-12-02' },
      { name: '', Note: null, n: null, ok: false, day: null },
    ];
    const file = [csvLine(config.columns.map((c) => c.name), config), ...stored.map((r) => recordLine(r, config))].join('\n');
    const { rows } = await runSource({ kind: 'csv-source', config, files: { 'replay.csv': file } });
    expect(rows).toEqual([
      { name: stored[0]?.name, Note: 'multi\nline', n: '5', ok: true, day: '2026-12-02' },
      // A quoted empty value is '' unless the source reads it as NULL.
      { name: dialect.quotedEmptyIsNull ? null : '', Note: null, n: null, ok: false, day: null },
    ]);
  });
});
