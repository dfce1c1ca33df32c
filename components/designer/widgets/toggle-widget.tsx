import { checkboxClass } from '@/components/ui/styles';
import { readBoolean } from './config-values';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

export function ToggleControl({ value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'toggle'>>) {
  return (
    <div className={compact ? 'flex items-center gap-1.5 py-0.5' : 'flex items-center gap-2'}>
      <input
        id={id}
        type="checkbox"
        className={checkboxClass}
        checked={readBoolean(value)}
        onChange={(e) => onChange(e.target.checked)}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
      />
      <label htmlFor={id} className={compact ? 'text-xs text-neutral-300' : 'text-sm text-neutral-200'}>
        {label}
      </label>
    </div>
  );
}

export function ToggleWidget(props: WidgetProps<FieldOf<'toggle'>>) {
  return <ToggleControl {...fieldControlProps(props)} />;
}
