// Every node kind, declared once. Palette, settings forms, compiler, engine and
// docs all read from here; adding a kind means adding one module and one line.
import type { NodeCategory, NodeDefinition } from './define-node';
import { csvSource } from './nodes/csv-source';
import { fileSink } from './nodes/file-sink';
import { filter } from './nodes/filter';
import { selectColumns } from './nodes/select-columns';

// Stored with their Config erased: the compiler validates configs with each
// definition's own schema before calling its functions.
const definitions = [csvSource, filter, selectColumns, fileSink] as unknown as NodeDefinition[];

export const nodeRegistry: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((d) => [d.kind, d]));

export function getNodeDefinition(kind: string): NodeDefinition | undefined {
  return nodeRegistry.get(kind);
}

export const categoryOrder: { category: NodeCategory; label: string }[] = [
  { category: 'source', label: 'Sources' },
  { category: 'transform', label: 'Transforms' },
  { category: 'destination', label: 'Destinations' },
];

export function nodesInCategory(category: NodeCategory): NodeDefinition[] {
  return definitions.filter((d) => d.category === category);
}
