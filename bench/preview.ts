// npm run bench:preview [-- path/to/orders.csv] — previews a node downstream of
// a large CSV source through the preview service (server/preview/) and reports
// the first (cold) and the second (cached) latency. The file is read through an
// allowed server folder (alias "bench"), as SLUICE_ALLOWED_DIRS allows.
// Targets (issue 6): cold under 2 s, cached under 200 ms.
// The default input is bench/.data/10m/orders.csv (10,000,000 rows), made by
// `node /work/shared/data/generate-orders.mjs bench/.data/10m 10000000`.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FORMAT_VERSION, type VisualPipeline } from '../server/pipeline/model';
import { PreviewCache, previewNode, type PreviewResult } from '../server/preview/preview';
import { chainEdges, csvSourceNode } from '../server/testing/pipelines';

const input = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '.data', '10m', 'orders.csv'));

/** csv-source (the generator's orders) → filter (paid, in three countries) → select-columns → file-sink. */
function ordersPipeline(sourcePath: string): VisualPipeline {
  const text = (name: string) => ({ name, type: 'string' as const });
  return {
    formatVersion: FORMAT_VERSION,
    nodes: [
      // amount stays text: the generator writes some unparseable amounts on purpose.
      csvSourceNode('src', sourcePath, [{ name: 'order_id', type: 'integer' }, { name: 'customer_id', type: 'integer' }, text('order_ts'), text('country'), text('status'), text('amount'), text('email')]),
      {
        id: 'paid',
        kind: 'filter',
        version: 1,
        position: { x: 250, y: 0 },
        config: { combinator: 'and', rules: [{ column: 'status', op: 'eq', value: 'paid' }, { column: 'country', op: 'in', value: 'DE,FR,US' }] },
      },
      { id: 'cols', kind: 'select-columns', version: 1, position: { x: 500, y: 0 }, config: { columns: ['order_id', 'customer_id', 'country', 'amount'] } },
      { id: 'out', kind: 'file-sink', version: 1, position: { x: 750, y: 0 }, config: { format: 'parquet', path: 'out/paid.parquet' } },
    ],
    edges: chainEdges(['src', 'paid', 'cols', 'out']),
  };
}

function ok(result: PreviewResult): Extract<PreviewResult, { ok: true }> {
  if (!result.ok) throw new Error(`the preview failed: ${JSON.stringify(result.diagnostics)}`);
  return result;
}

async function main(): Promise<void> {
  const size = (await stat(input).catch(() => null))?.size;
  if (size === undefined) throw new Error(`${input} does not exist: generate it first (see bench/README.md)`);
  const workspace = await mkdtemp(path.join(tmpdir(), 'sluice-bench-preview-'));
  try {
    const options = { workspaceRoot: workspace, readDirectories: { bench: path.dirname(input) }, cache: new PreviewCache() };
    const request = { document: ordersPipeline(`bench:${path.basename(input)}`), nodeId: 'paid', limit: 1000 };
    const timed = async () => {
      const start = performance.now();
      const result = ok(await previewNode(request, options));
      return { ms: performance.now() - start, result };
    };
    const cold = await timed();
    const cached = await timed();
    if (cold.result.cached || !cached.result.cached) throw new Error('expected a computed preview, then a cached one');
    console.log(`input ${input} (${(size / 2 ** 20).toFixed(0)} MiB)`);
    console.log(
      `preview of "paid" (filter after the CSV source): ${cold.result.rows.length} rows sent, ${cold.result.totalRows.toLocaleString()} rows from a sample of ${cold.result.sampleRows.toLocaleString()} per source (sampled: ${cold.result.sampled}), ${cold.result.stats.length} column stats`,
    );
    console.log(`cold   ${cold.ms.toFixed(0)} ms (target < 2000 ms)`);
    console.log(`cached ${cached.ms.toFixed(1)} ms (target < 200 ms)`);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

await main();
