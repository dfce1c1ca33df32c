import type { Diagnostic } from '@/server/compiler/diagnostics';

/** The count of a node's errors (or warnings, when it has no errors); messages in the tooltip. */
export function NodeDiagnosticsBadge({ diagnostics }: { diagnostics: readonly Diagnostic[] }) {
  if (diagnostics.length === 0) return null;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.length > 0 ? errors : diagnostics;
  const noun = errors.length > 0 ? 'error' : 'warning';
  return (
    <span
      data-testid="node-diagnostics"
      data-count={errors.length}
      data-severity={errors.length > 0 ? 'error' : 'warning'}
      title={`${shown.length} ${noun}${shown.length === 1 ? '' : 's'}:\n${diagnostics.map((d) => d.message).join('\n')}`}
      className={`inline-flex h-4 min-w-4 items-center justify-center rounded-full px-1 text-[10px] font-semibold tabular-nums ${errors.length > 0 ? 'bg-red-600 text-white' : 'bg-amber-500 text-neutral-950'}`}
    >
      {shown.length}
    </span>
  );
}
