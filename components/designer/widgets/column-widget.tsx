'use client';
import { selectClass } from '@/components/ui/styles';
import { useInputColumns } from '../compile-context';
import { readString } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

/** One column of the input port; a chosen column the input no longer has stays shown, flagged "(missing)". */
export function ColumnControl({ spec, nodeId, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'column'>>) {
  const columns = useInputColumns(nodeId, spec.port);
  const current = readString(value);
  const known = columns.some((c) => c.name === current);
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
            {current === '' ? (columns.length === 0 ? 'Connect an input…' : 'Column…') : `${current} (missing)`}
          </option>
        ) : null}
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
    </>
  );
}

export function ColumnWidget(props: WidgetProps<FieldOf<'column'>>) {
  return <ColumnControl {...fieldControlProps(props)} />;
}
