import type { ReactNode } from 'react';
import { labelClass } from '@/components/ui/styles';

/**
 * The visible label above a scalar control; smaller inside list items.
 * `onClick` is for controls a label cannot focus by itself (a code editor).
 */
export function ControlLabel({ htmlFor, compact, children, onClick }: { htmlFor: string; compact: boolean | undefined; children: ReactNode; onClick?: () => void }) {
  return (
    <label htmlFor={htmlFor} onClick={onClick} className={compact ? 'block text-[11px] text-neutral-400' : labelClass}>
      {children}
    </label>
  );
}

/** Extra classes for a control inside a list item. */
export const compactClass = (compact: boolean | undefined): string => (compact ? ' px-1.5 py-0.5 text-xs' : '');
