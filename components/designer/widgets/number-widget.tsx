import { inputClass } from '@/components/ui/styles';
import { formatNumberInput, parseNumberInput } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

/** A number input; clearing it removes the value. Text the browser cannot read as a number changes nothing. */
export function NumberControl({ spec, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'number'>>) {
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact}>
        {label}
      </ControlLabel>
      <input
        id={id}
        type="number"
        inputMode={spec.integer ? 'numeric' : 'decimal'}
        className={inputClass + compactClass(compact)}
        value={formatNumberInput(value)}
        min={spec.min}
        max={spec.max}
        step={spec.integer ? 1 : 'any'}
        placeholder={spec.placeholder}
        onChange={(e) => {
          // A half-typed number ("-", "1e") reads as "" with badInput set; wait for the rest.
          if (!e.target.validity.badInput) onChange(parseNumberInput(e.target.value));
        }}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
      />
    </>
  );
}

export function NumberWidget(props: WidgetProps<FieldOf<'number'>>) {
  return <NumberControl {...fieldControlProps(props)} />;
}
