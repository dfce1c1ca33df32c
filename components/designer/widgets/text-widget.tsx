import { inputClass } from '@/components/ui/styles';
import { readString } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

export function TextControl({ spec, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'text'>>) {
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact}>
        {label}
      </ControlLabel>
      <input
        id={id}
        type="text"
        className={inputClass + compactClass(compact)}
        value={readString(value)}
        placeholder={spec.placeholder}
        onChange={(e) => onChange(e.target.value)}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        spellCheck={false}
      />
    </>
  );
}

export function TextWidget(props: WidgetProps<FieldOf<'text'>>) {
  return <TextControl {...fieldControlProps(props)} />;
}
