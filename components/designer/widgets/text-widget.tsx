import { inputClass, labelClass } from '@/components/ui/styles';
import { readString } from './config-values';
import type { FieldOf, WidgetProps } from './widget-types';

export function TextWidget({ field, value, onChange, inputId, describedBy, issues }: WidgetProps<FieldOf<'text'>>) {
  return (
    <>
      <label htmlFor={inputId} className={labelClass}>
        {field.label}
      </label>
      <input
        id={inputId}
        type="text"
        className={inputClass}
        value={readString(value)}
        placeholder={field.placeholder}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={issues.length > 0}
        aria-describedby={describedBy}
        spellCheck={false}
      />
    </>
  );
}
