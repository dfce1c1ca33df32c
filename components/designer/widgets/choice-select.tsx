import { selectClass } from '@/components/ui/styles';
import { readString } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import type { ScalarControlProps } from './widget-types';

type ChoiceSelectProps = Omit<ScalarControlProps, 'spec' | 'nodeId'> & {
  options: readonly { value: string; label: string }[];
  /** What to show for an empty value, and for one no option has. */
  emptyText: string;
  unknownText: (value: string) => string;
};

/** A labelled select that keeps showing a current value it has no option for, disabled, so nothing changes silently. */
export function ChoiceSelect({ options, emptyText, unknownText, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ChoiceSelectProps) {
  const current = readString(value);
  const known = options.some((o) => o.value === current);
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact}>
        {label}
      </ControlLabel>
      <select
        id={id}
        className={selectClass + compactClass(compact)}
        value={current}
        onChange={(e) => onChange(e.target.value)}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
      >
        {!known ? (
          <option value={current} disabled>
            {current === '' ? emptyText : unknownText(current)}
          </option>
        ) : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}
