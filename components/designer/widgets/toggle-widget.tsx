import { checkboxClass } from '@/components/ui/styles';
import { readBoolean } from './config-values';
import type { FieldOf, WidgetProps } from './widget-types';

export function ToggleWidget({ field, value, onChange, inputId, describedBy, issues }: WidgetProps<FieldOf<'toggle'>>) {
  return (
    <div className="flex items-center gap-2">
      <input
        id={inputId}
        type="checkbox"
        className={checkboxClass}
        checked={readBoolean(value)}
        onChange={(e) => onChange(e.target.checked)}
        aria-invalid={issues.length > 0}
        aria-describedby={describedBy}
      />
      <label htmlFor={inputId} className="text-sm text-neutral-200">
        {field.label}
      </label>
    </div>
  );
}
