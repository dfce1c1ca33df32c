// npm run bench:compile — compiles a 1,000-node pipeline and reports the time.
// Target (issue 3): under 200 ms. The graph is a source fanning out into ten
// chains of filters and column selections, each ending in its own file sink.
import { performance } from 'node:perf_hooks';
import { compile } from '../server/compiler/compile';
import { FORMAT_VERSION, type PipelineEdge, type PipelineNode, type VisualPipeline } from '../server/pipeline/model';

export function largePipeline(totalNodes: number, chains = 9): VisualPipeline {
  const columns = Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, type: i % 3 === 0 ? 'integer' : i % 3 === 1 ? 'float' : 'string' }));
  const nodes: PipelineNode[] = [
    { id: 'src', kind: 'csv-source', version: 1, position: { x: 0, y: 0 }, config: { path: 'in.csv', delimiter: ',', quote: '"', escape: '"', header: true, columns } },
  ];
  const edges: PipelineEdge[] = [];
  const perChain = Math.floor((totalNodes - 1) / chains) - 1;
  for (let c = 0; c < chains; c++) {
    let previous = 'src';
    for (let i = 0; i < perChain; i++) {
      const id = `n${c}_${i}`;
      const config =
        i % 2 === 0
          ? { combinator: 'and', rules: [{ column: 'c0', op: 'gt', value: String(i) }, { column: 'c2', op: 'contains', value: 'x' }] }
          : { columns: columns.map((col) => col.name) };
      nodes.push({ id, kind: i % 2 === 0 ? 'filter' : 'select-columns', version: 1, position: { x: i * 10, y: c * 10 }, config });
      edges.push({ id: `e_${id}`, source: { node: previous, port: 'output' }, target: { node: id, port: 'input' } });
      previous = id;
    }
    const sink = `sink${c}`;
    nodes.push({ id: sink, kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'parquet', path: `out/${c}.parquet` } });
    edges.push({ id: `e_${sink}`, source: { node: previous, port: 'output' }, target: { node: sink, port: 'input' } });
  }
  return { formatVersion: FORMAT_VERSION, nodes, edges };
}

function main(): void {
  const doc = largePipeline(1000);
  const runs: number[] = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    const result = compile(doc);
    runs.push(performance.now() - start);
    if (!result.plan) throw new Error(`benchmark pipeline does not compile: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
  }
  const warm = runs.slice(5).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)] ?? NaN;
  console.log(`compile ${doc.nodes.length} nodes / ${doc.edges.length} edges: first ${runs[0]?.toFixed(1)} ms, median of warm runs ${median.toFixed(1)} ms, max ${warm.at(-1)?.toFixed(1)} ms (target < 200 ms)`);
}

main();
