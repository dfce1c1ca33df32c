import type { Diagnostic } from '@/server/compiler/diagnostics';

/** Every problem the compiler reports for a node, under its form. */
export function NodeDiagnosticsList({ diagnostics }: { diagnostics: readonly Diagnostic[] }) {
  if (diagnostics.length === 0) {
    return <p className="text-xs text-emerald-400/80">No problems found.</p>;
  }
  return (
    <ul className="space-y-1" data-testid="node-problems">
      {diagnostics.map((d, i) => (
        <li
          key={i}
          className={`rounded border px-2 py-1 text-xs ${d.severity === 'error' ? 'border-red-900/70 bg-red-950/40 text-red-200' : 'border-amber-900/70 bg-amber-950/30 text-amber-200'}`}
          data-code={d.code}
          data-severity={d.severity}
        >
          {d.path?.length ? <span className="font-mono text-[11px] text-neutral-400">{d.path.join('.')}: </span> : null}
          {d.message}
        </li>
      ))}
    </ul>
  );
}
