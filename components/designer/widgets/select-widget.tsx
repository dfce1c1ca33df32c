import { selectClass } from '@/components/ui/styles';
import { readString } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

export function SelectControl({ spec, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'select'>>) {
  const current = readString(value);
  const known = spec.options.some((o) => o.value === current);
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
            {current === '' ? 'Choose…' : `${current} (unknown)`}
          </option>
        ) : null}
        {spec.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}

export function SelectWidget(props: WidgetProps<FieldOf<'select'>>) {
  return <SelectControl {...fieldControlProps(props)} />;
}
