// Which dead letters of a run a reprocess can replay, and through which source
// of the pipeline's newest version (ADR 008). Pure: the caller reads the
// documents and the dead-letter counts.
//
// A row is replayed from the record its source read, never from the middle of
// the pipeline, so every node of the fixed version sees it:
// - a CSV source's own rejects keep the raw line: the source reads it again;
// - a node reading straight from a CSV source stored the row as that source
//   read it (its input): the source reads that record again.
// Rows a node further down rejected are stored as that node's input, which no
// source can read again, so they are not reprocessed (and say why).
import { nodeRegistry } from '../pipeline/registry';
import type { VisualPipeline } from '../pipeline/model';

/** Not-yet-reprocessed dead letters of one node, with how many keep the raw line and the row values. */
export interface DeadLetterCounts {
  nodeId: string;
  total: number;
  withRawLine: number;
  withRow: number;
}

/** What a reprocess replays from the dead letters of one node: their raw lines, or their rows as records. */
export interface ReplaySlice {
  nodeId: string;
  field: 'rawLine' | 'row';
  rows: number;
}

export interface ReprocessPlan {
  /** Each CSV source of the newest version that reads replayed rows instead of its file, with what it reads. */
  sources: { sourceId: string; slices: ReplaySlice[] }[];
  /** Rows that will be replayed. */
  rows: number;
  /** Dead letters that cannot be replayed, by node, and why. */
  skipped: { nodeId: string; rows: number; why: string }[];
  /** Why the reprocess cannot run at all; null when it can. */
  blocker: string | null;
}

const nodeOf = (document: VisualPipeline, id: string) => document.nodes.find((n) => n.id === id);
const definitionOf = (document: VisualPipeline, id: string) => {
  const node = nodeOf(document, id);
  return node ? nodeRegistry.get(node.kind) : undefined;
};
/** Whether the node is a source that can read its rejected rows again (its declaration's `replay`). */
const replays = (document: VisualPipeline, id: string) => definitionOf(document, id)?.replay !== undefined;
const categoryOf = (kind: string) => nodeRegistry.get(kind)?.category;

/**
 * True when rows of `sourceId` reach a destination other than as reference
 * data (a join's right input, a lookup's reference input).
 */
function carriesRows(document: VisualPipeline, sourceId: string): boolean {
  const seen = new Set<string>();
  const stack = [sourceId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const edge of document.edges) {
      if (edge.source.node !== id) continue;
      const target = nodeOf(document, edge.target.node);
      if (!target) continue;
      if (nodeRegistry.get(target.kind)?.ports.inputs.find((p) => p.name === edge.target.port)?.reference) continue;
      if (categoryOf(target.kind) === 'destination') return true;
      stack.push(target.id);
    }
  }
  return false;
}

/**
 * Plans the replay of `deadLetters` (counts of a run of `original`) through
 * `latest`, the pipeline's newest version.
 */
export function planReprocess(original: VisualPipeline, latest: VisualPipeline, deadLetters: readonly DeadLetterCounts[]): ReprocessPlan {
  const label = (id: string) => nodeOf(latest, id)?.label ?? nodeOf(original, id)?.label ?? id;
  const bySource = new Map<string, ReplaySlice[]>();
  const skipped: ReprocessPlan['skipped'] = [];
  const add = (sourceId: string, slice: ReplaySlice) => bySource.set(sourceId, [...(bySource.get(sourceId) ?? []), slice]);
  const skip = (nodeId: string, rows: number, why: string) => {
    if (rows > 0) skipped.push({ nodeId, rows, why });
  };

  for (const counts of deadLetters) {
    const rejecting = nodeOf(original, counts.nodeId);
    if (replays(original, counts.nodeId)) {
      // The source's own rejects: it reads their raw lines again, if it still can.
      if (!replays(latest, counts.nodeId)) {
        skip(counts.nodeId, counts.total, `"${label(counts.nodeId)}" is no longer a CSV source in the newest version, so it cannot read its rejected lines again`);
        continue;
      }
      add(counts.nodeId, { nodeId: counts.nodeId, field: 'rawLine', rows: counts.withRawLine });
      skip(counts.nodeId, counts.total - counts.withRawLine, `these rows of "${label(counts.nodeId)}" were stored without their raw line`);
      continue;
    }
    const inputs = original.edges.filter((e) => e.target.node === counts.nodeId);
    const from = inputs.length === 1 && inputs[0] ? nodeOf(original, inputs[0].source.node) : undefined;
    if (!rejecting || !from || !replays(original, from.id)) {
      skip(
        counts.nodeId,
        counts.total,
        `"${label(counts.nodeId)}" does not read straight from a CSV source, so the rows it rejected are stored as its own input, not as records a source can read again`,
      );
      continue;
    }
    if (!replays(latest, from.id)) {
      skip(counts.nodeId, counts.total, `"${label(from.id)}", which read the rows "${label(counts.nodeId)}" rejected, is no longer a CSV source in the newest version`);
      continue;
    }
    add(from.id, { nodeId: counts.nodeId, field: 'row', rows: counts.withRow });
    skip(counts.nodeId, counts.total - counts.withRow, `these rows of "${label(counts.nodeId)}" were stored without their values`);
  }

  const sources = [...bySource].map(([sourceId, slices]) => ({ sourceId, slices: slices.filter((s) => s.rows > 0) })).filter((s) => s.slices.length > 0);
  const rows = sources.reduce((sum, s) => sum + s.slices.reduce((n, slice) => n + slice.rows, 0), 0);
  let blocker: string | null = null;
  if (rows === 0) {
    blocker = skipped.length > 0 ? `None of the rejected rows can be reprocessed: ${skipped.map((s) => s.why).join('; ')}` : 'The run has no rejected rows left to reprocess';
  } else {
    // Every other source reads its whole input: only as reference data may it reach a destination, or its rows would load again.
    const replayed = new Set(sources.map((s) => s.sourceId));
    const carrying = latest.nodes.filter((n) => categoryOf(n.kind) === 'source' && !replayed.has(n.id) && carriesRows(latest, n.id));
    if (carrying.length > 0) {
      blocker = `${carrying.map((n) => `"${label(n.id)}"`).join(', ')} rejected no rows but would load all of ${carrying.length === 1 ? 'its' : 'their'} rows again; only sources that feed a join's right input or a lookup's reference may read in full during a reprocess`;
    }
    // Destinations that replace what they hold would keep only the reprocessed rows.
    for (const node of latest.nodes) {
      if (blocker) break;
      const why = nodeRegistry.get(node.kind)?.replacesContents?.(node.config) ?? null;
      if (why) blocker = `"${label(node.id)}" ${why}`;
    }
  }
  return { sources, rows, skipped, blocker };
}
