'use client';
import type { KeyboardEvent } from 'react';
import { categoryOrder, nodesInCategory } from '@/server/pipeline/registry';
import { PaletteItem } from './palette-item';
import { useAddNodeAtCenter } from './use-add-node';

const categories = categoryOrder.map(({ category, label }) => ({ category, label, definitions: nodesInCategory(category) }));

/** Arrow keys, Home and End move between palette items; Enter or Space adds the focused kind. */
function moveFocus(event: KeyboardEvent<HTMLElement>) {
  const items = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[data-palette-item]')];
  const index = items.findIndex((item) => item === document.activeElement);
  if (index === -1) return;
  const targets: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
  const target = targets[event.key];
  if (target === undefined) return;
  event.preventDefault();
  items[Math.max(0, Math.min(items.length - 1, target))]?.focus();
}

/** Every node kind from the registry, grouped by category. */
export function Palette() {
  const addNode = useAddNodeAtCenter();
  return (
    <aside
      className="h-full overflow-y-auto border-r border-neutral-800 bg-neutral-900/40 p-2"
      data-testid="palette"
      aria-label="Node palette"
      onKeyDown={moveFocus}
    >
      {categories.map(({ category, label, definitions }) => (
        <section key={category} className="mb-3">
          <h2 id={`palette-${category}`} className="px-2 pb-1 text-[11px] font-semibold tracking-wider text-neutral-500 uppercase">{label}</h2>
          <ul aria-labelledby={`palette-${category}`}>
            {definitions.map((definition) => (
              <li key={definition.kind}>
                <PaletteItem definition={definition} onAdd={addNode} />
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p className="px-2 pt-2 text-[11px] leading-snug text-neutral-600">Drag onto the canvas or click to add; arrow keys move between kinds, Enter adds one.</p>
    </aside>
  );
}
