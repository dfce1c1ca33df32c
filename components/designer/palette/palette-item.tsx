'use client';
import type { DragEvent } from 'react';
import type { NodeDefinition } from '@/server/pipeline/define-node';
import { NODE_KIND_MIME } from './drag-data';

/** A node kind to drag onto the canvas, or click to add. */
export function PaletteItem({ definition, onAdd }: { definition: NodeDefinition; onAdd: (kind: string) => void }) {
  function onDragStart(event: DragEvent<HTMLButtonElement>) {
    event.dataTransfer.setData(NODE_KIND_MIME, definition.kind);
    event.dataTransfer.effectAllowed = 'move';
  }

  return (
    <button
      type="button"
      draggable
      onDragStart={onDragStart}
      onClick={() => onAdd(definition.kind)}
      title={definition.description}
      aria-label={`Add ${definition.label} node`}
      aria-description={definition.description}
      data-palette-item
      data-testid={`palette-item-${definition.kind}`}
      className="group flex w-full cursor-grab items-center gap-2 rounded border border-transparent px-2 py-1.5 text-left text-sm text-neutral-200 hover:border-neutral-700 hover:bg-neutral-800/70 focus-visible:border-sky-600 focus-visible:outline-none active:cursor-grabbing"
    >
      <span aria-hidden className="flex size-6 shrink-0 items-center justify-center rounded bg-neutral-800 text-sm group-hover:bg-neutral-700">
        {definition.icon}
      </span>
      <span className="truncate">{definition.label}</span>
    </button>
  );
}
