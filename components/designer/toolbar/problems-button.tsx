'use client';
import { useState } from 'react';
import { buttonClass } from '@/components/ui/styles';
import { useCompileView } from '../compile-context';
import { useDesignerStore, useNodeLabels } from '../store-context';

/** The number of compiler problems; opens a list where each problem selects its node. */
export function ProblemsButton() {
  const { diagnostics, errorCount, warningCount } = useCompileView();
  const labelOf = useNodeLabels();
  const selectNode = useDesignerStore((s) => s.selectNode);
  const [open, setOpen] = useState(false);
  const total = errorCount + warningCount;
  const text = total === 0 ? 'No problems' : `${total} ${total === 1 ? 'problem' : 'problems'}`;

  return (
    <div className="relative">
      <button
        type="button"
        className={`${buttonClass.ghost} px-2 text-xs ${errorCount > 0 ? 'text-red-300' : warningCount > 0 ? 'text-amber-300' : 'text-neutral-400'}`}
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-haspopup="true"
        data-testid="problems-count"
        data-errors={errorCount}
        data-warnings={warningCount}
        disabled={total === 0}
      >
        <span aria-hidden className={`size-2 rounded-full ${errorCount > 0 ? 'bg-red-400' : warningCount > 0 ? 'bg-amber-400' : 'border border-neutral-500'}`} />
        {text}
      </button>
      {open && total > 0 ? (
        <ul className="absolute top-full right-0 z-20 mt-1 max-h-80 w-96 overflow-y-auto rounded border border-neutral-700 bg-neutral-900 p-1 shadow-xl" data-testid="problems-list">
          {diagnostics.map((d, i) => (
            <li key={i}>
              <button
                type="button"
                className="w-full rounded px-2 py-1 text-left text-xs hover:bg-neutral-800 disabled:cursor-default"
                disabled={!d.nodeId}
                onClick={() => {
                  if (d.nodeId) selectNode(d.nodeId);
                  setOpen(false);
                }}
              >
                <span className={d.severity === 'error' ? 'text-red-300' : 'text-amber-300'}>{d.severity === 'error' ? 'Error' : 'Warning'}</span>
                {d.nodeId ? <span className="text-neutral-300"> · {labelOf(d.nodeId)}</span> : null}
                <span className="block text-neutral-400">{d.message}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
