import { labelClass, selectClass } from '@/components/ui/styles';
import { readString } from './config-values';
import type { FieldOf, WidgetProps } from './widget-types';

export function SelectWidget({ field, value, onChange, inputId, describedBy, issues }: WidgetProps<FieldOf<'select'>>) {
  const current = readString(value);
  const known = field.options.some((o) => o.value === current);
  return (
    <>
      <label htmlFor={inputId} className={labelClass}>
        {field.label}
      </label>
      <select
        id={inputId}
        className={selectClass}
        value={current}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={issues.length > 0}
        aria-describedby={describedBy}
      >
        {!known ? (
          <option value={current} disabled>
            {current === '' ? 'Choose…' : `${current} (unknown)`}
          </option>
        ) : null}
        {field.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}
