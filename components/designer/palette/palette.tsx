'use client';
import { categoryOrder, nodesInCategory } from '@/server/pipeline/registry';
import { PaletteItem } from './palette-item';
import { useAddNodeAtCenter } from './use-add-node';

const categories = categoryOrder.map(({ category, label }) => ({ category, label, definitions: nodesInCategory(category) }));

/** Every node kind from the registry, grouped by category. */
export function Palette() {
  const addNode = useAddNodeAtCenter();
  return (
    <aside className="h-full overflow-y-auto border-r border-neutral-800 bg-neutral-900/40 p-2" data-testid="palette">
      {categories.map(({ category, label, definitions }) => (
        <section key={category} className="mb-3">
          <h2 className="px-2 pb-1 text-[11px] font-semibold tracking-wider text-neutral-500 uppercase">{label}</h2>
          <ul>
            {definitions.map((definition) => (
              <li key={definition.kind}>
                <PaletteItem definition={definition} onAdd={addNode} />
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p className="px-2 pt-2 text-[11px] leading-snug text-neutral-600">Drag onto the canvas or click to add.</p>
    </aside>
  );
}
