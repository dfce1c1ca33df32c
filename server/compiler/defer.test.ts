import { describe, expect, it } from 'vitest';
import type { VisualPipeline } from '../pipeline/model';
import { linearPipeline, ordersColumns } from '../testing/pipelines';
import { compile } from './compile';
import { DEFERRED_READERS } from './defer';

function sourceOp(doc: VisualPipeline, optimize = true) {
  const plan = compile(doc, { optimize }).plan;
  if (!plan) throw new Error('no plan');
  return plan.stages.find((s) => s.id === 'src')?.ops.find((op) => op.op === 'materialize');
}

/** The linear pipeline with `extra` more file sinks reading the source directly. */
function fannedOut(extra: number): VisualPipeline {
  const doc = linearPipeline();
  for (let i = 0; i < extra; i++) {
    doc.nodes.push({ id: `copy${i}`, kind: 'file-sink', version: 1, position: { x: 0, y: 0 }, config: { format: 'csv', path: `out/copy${i}.csv` } });
    doc.edges.push({ id: `fan${i}`, source: { node: 'src', port: 'output' }, target: { node: `copy${i}`, port: 'input' } });
  }
  return doc;
}

describe('deferFileReads', () => {
  it('defers a CSV source read by one query', () => {
    expect(sourceOp(linearPipeline())).toMatchObject({ deferred: true });
  });

  it(`defers up to ${DEFERRED_READERS} reading queries and materialises beyond`, () => {
    expect(sourceOp(fannedOut(DEFERRED_READERS - 1))).toMatchObject({ deferred: true });
    expect(sourceOp(fannedOut(DEFERRED_READERS))).not.toHaveProperty('deferred');
  });

  it('materialises a source that JavaScript reads, a batch at a time', () => {
    const doc = linearPipeline();
    doc.nodes = doc.nodes.map((n) =>
      n.id === 'cols' ? { ...n, kind: 'javascript', config: { code: 'function transform(rows) { return rows; }', columns: ordersColumns } } : n,
    );
    doc.edges = doc.edges.map((e) => (e.target.node === 'cols' ? { ...e, source: { node: 'src', port: 'output' } } : e)).filter((e) => e.target.node !== 'keep_paid');
    doc.nodes = doc.nodes.filter((n) => n.id !== 'keep_paid');
    const compiled = compile(doc);
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(compiled.plan?.stages.find((s) => s.id === 'src')?.ops.find((op) => op.op === 'materialize')).not.toHaveProperty('deferred');
  });

  it('leaves the reference plan (every node its own stage) materialised', () => {
    expect(sourceOp(linearPipeline(), false)).not.toHaveProperty('deferred');
  });
});
