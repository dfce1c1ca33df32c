import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type PipelineNode, type VisualPipeline } from '../pipeline/model';
import { planReprocess, type DeadLetterCounts } from './reprocess-plan';

const node = (id: string, kind: string): PipelineNode => ({ id, kind, version: 1, label: id.toUpperCase(), position: { x: 0, y: 0 }, config: {} });
const doc = (nodes: PipelineNode[], edges: [string, string, string?][]): VisualPipeline => ({
  formatVersion: FORMAT_VERSION,
  nodes,
  edges: edges.map(([from, to, port], i) => ({ id: `e${i}`, source: { node: from, port: 'output' }, target: { node: to, port: port ?? 'input' } })),
});
const counts = (nodeId: string, total: number, withRawLine = 0, withRow = 0): DeadLetterCounts => ({ nodeId, total, withRawLine, withRow });

/** src → cast → filter → quality → sink */
const linear = doc(
  [node('src', 'csv-source'), node('cast', 'cast-columns'), node('keep', 'filter'), node('late', 'cast-columns'), node('sink', 'postgres-sink')],
  [
    ['src', 'cast'],
    ['cast', 'keep'],
    ['keep', 'late'],
    ['late', 'sink'],
  ],
);

describe('planReprocess', () => {
  it('replays a CSV source its own raw lines, and the records a node reading straight from it rejected', () => {
    const plan = planReprocess(linear, linear, [counts('src', 2, 2, 0), counts('cast', 3, 0, 3)]);
    expect(plan).toEqual({
      sources: [
        {
          sourceId: 'src',
          slices: [
            { nodeId: 'src', field: 'rawLine', rows: 2 },
            { nodeId: 'cast', field: 'row', rows: 3 },
          ],
        },
      ],
      rows: 5,
      skipped: [],
      blocker: null,
    });
  });

  it('says why rows a node further down rejected are not replayed, and refuses when none can be', () => {
    const plan = planReprocess(linear, linear, [counts('cast', 1, 0, 1), counts('late', 4, 0, 4)]);
    expect(plan.rows).toBe(1);
    expect(plan.skipped).toEqual([
      { nodeId: 'late', rows: 4, why: '"LATE" does not read straight from a CSV source, so the rows it rejected are stored as its own input, not as records a source can read again' },
    ]);
    expect(plan.blocker).toBeNull();
    expect(planReprocess(linear, linear, [counts('late', 4, 0, 4)]).blocker).toMatch(/^None of the rejected rows can be reprocessed: "LATE" does not read straight/);
    expect(planReprocess(linear, linear, []).blocker).toBe('The run has no rejected rows left to reprocess');
  });

  it('skips rows stored without what the replay needs, and sources the newest version no longer reads from a CSV file', () => {
    expect(planReprocess(linear, linear, [counts('src', 3, 2, 0)]).skipped).toEqual([{ nodeId: 'src', rows: 1, why: 'these rows of "SRC" were stored without their raw line' }]);
    const moved = doc([node('src', 'parquet-source'), node('cast', 'cast-columns'), node('sink', 'postgres-sink')], [['src', 'cast'], ['cast', 'sink']]);
    expect(planReprocess(linear, moved, [counts('src', 1, 1, 0)]).blocker).toMatch(/"SRC" is no longer a CSV source in the newest version/);
  });

  it('lets other sources read in full only as reference data (a join\'s right input, a lookup\'s reference)', () => {
    const withLookup = doc(
      [node('src', 'csv-source'), node('ref', 'csv-source'), node('enrich', 'lookup'), node('sink', 'postgres-sink')],
      [
        ['src', 'enrich', 'input'],
        ['ref', 'enrich', 'reference'],
        ['enrich', 'sink'],
      ],
    );
    expect(planReprocess(withLookup, withLookup, [counts('src', 1, 1, 0)]).blocker).toBeNull();
    // Rejected rows of the reference itself make it the replayed source, and the other one would load everything again.
    expect(planReprocess(withLookup, withLookup, [counts('ref', 1, 1, 0)]).blocker).toBe('"SRC" rejected no rows but would load all of its rows again; only sources that feed a join\'s right input or a lookup\'s reference may read in full during a reprocess');

    const unioned = doc(
      [node('a', 'csv-source'), node('b', 'csv-source'), node('both', 'union'), node('sink', 'postgres-sink')],
      [
        ['a', 'both', 'first'],
        ['b', 'both', 'second'],
        ['both', 'sink'],
      ],
    );
    expect(planReprocess(unioned, unioned, [counts('a', 1, 1, 0)]).blocker).toMatch(/^"B" rejected no rows but would load all of its rows again/);
    expect(planReprocess(unioned, unioned, [counts('a', 1, 1, 0), counts('b', 2, 2, 0)])).toMatchObject({ rows: 3, blocker: null });
  });

  it('refuses destinations that would keep only the reprocessed rows: files, and tables loaded in replace or delete-insert mode', () => {
    const into = (sink: PipelineNode) => doc([node('src', 'csv-source'), sink], [['src', sink.id]]);
    const withMode = (mode: string): PipelineNode => ({ ...node('sink', 'postgres-sink'), config: { mode } });
    expect(planReprocess(linear, into(node('out', 'file-sink')), [counts('src', 1, 1, 0)]).blocker).toMatch(/^"OUT" writes a file, which a reprocess would replace/);
    expect(planReprocess(linear, into(withMode('replace')), [counts('src', 1, 1, 0)]).blocker).toMatch(/^"SINK" loads in replace mode/);
    expect(planReprocess(linear, into(withMode('delete-insert')), [counts('src', 1, 1, 0)]).blocker).toMatch(/^"SINK" loads in delete-insert mode/);
    expect(planReprocess(linear, into(withMode('upsert')), [counts('src', 1, 1, 0)]).blocker).toBeNull();
  });
});
