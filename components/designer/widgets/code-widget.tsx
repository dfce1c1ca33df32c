import { inputClass } from '@/components/ui/styles';
import { readString } from './config-values';
import { compactClass, ControlLabel } from './control-label';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

/** Multi-line source code in a monospace editor (Monaco replaces it with the designer work). */
export function CodeControl({ spec, value, onChange, id, label, ariaLabel, describedBy, invalid, compact }: ScalarControlProps<ScalarSpecOf<'code'>>) {
  const text = readString(value);
  return (
    <>
      <ControlLabel htmlFor={id} compact={compact}>
        {label}
      </ControlLabel>
      <textarea
        id={id}
        className={`${inputClass}${compactClass(compact)} min-h-40 font-mono text-xs leading-5`}
        value={text}
        rows={Math.min(24, Math.max(6, text.split('\n').length + 1))}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          // Tab indents instead of leaving the editor; Escape then Tab still moves focus on.
          if (e.key !== 'Tab' || e.shiftKey) return;
          e.preventDefault();
          const el = e.currentTarget;
          const { selectionStart, selectionEnd } = el;
          onChange(`${text.slice(0, selectionStart)}  ${text.slice(selectionEnd)}`);
          requestAnimationFrame(() => el.setSelectionRange(selectionStart + 2, selectionStart + 2));
        }}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        data-language={spec.language}
        spellCheck={false}
      />
    </>
  );
}

export function CodeWidget(props: WidgetProps<FieldOf<'code'>>) {
  return <CodeControl {...fieldControlProps(props)} />;
}
