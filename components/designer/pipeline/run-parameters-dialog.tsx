'use client';
import { useId, useState } from 'react';
import type { ParameterDeclaration } from '@/server/pipeline/model';
import type { ParameterInput } from '@/server/pipeline/parameters';
import { ModalDialog } from '@/components/ui/modal-dialog';
import { buttonClass, inputClass, selectClass } from '@/components/ui/styles';
import { parameterTypeLabels } from './parameter-edits';
import { initialRunTexts, runValues } from './run-values';

interface RunParametersDialogProps {
  /** The declarations to ask for; the dialog is open while this is not null. */
  parameters: readonly ParameterDeclaration[] | null;
  onRun: (values: ParameterInput) => void;
  onClose: () => void;
}

function ValueInput({ decl, value, error, onChange }: { decl: ParameterDeclaration; value: string; error: string | undefined; onChange: (text: string) => void }) {
  const id = useId();
  const describedBy = [decl.description ? `${id}-description` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': error !== undefined, 'aria-describedby': describedBy };
  return (
    <div className="space-y-1" data-testid="run-parameter" data-parameter={decl.name}>
      <label htmlFor={id} className="flex items-baseline gap-2 text-xs font-medium text-neutral-200">
        <span className="font-mono">{decl.name}</span>
        <span className="text-[11px] font-normal text-neutral-500">
          {parameterTypeLabels[decl.type]}
          {decl.default === undefined ? ', required' : `, default ${String(decl.default)}`}
        </span>
      </label>
      {decl.type === 'boolean' ? (
        <select {...common} className={selectClass} value={value} onChange={(e) => onChange(e.target.value)}>
          {decl.default === undefined ? <option value="">Choose…</option> : null}
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          {...common}
          type={decl.type === 'date' ? 'date' : decl.type === 'integer' || decl.type === 'float' ? 'number' : 'text'}
          step={decl.type === 'integer' ? 1 : decl.type === 'float' ? 'any' : undefined}
          className={inputClass}
          value={value}
          placeholder={decl.type === 'timestamp' ? 'e.g. 2024-01-31T12:00:00Z' : undefined}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {decl.description ? (
        <p id={`${id}-description`} className="text-xs text-neutral-500">
          {decl.description}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-300" data-testid="run-parameter-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function RunForm({ parameters, onRun, onClose }: { parameters: readonly ParameterDeclaration[]; onRun: (values: ParameterInput) => void; onClose: () => void }) {
  const [texts, setTexts] = useState(() => initialRunTexts(parameters));
  const [errors, setErrors] = useState<Record<string, string>>({});
  return (
    <form
      className="space-y-3 px-4 py-3"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const result = runValues(parameters, texts);
        if (result.ok) onRun(result.values);
        else setErrors(result.errors);
      }}
    >
      {parameters.map((decl) => (
        <ValueInput
          key={decl.name}
          decl={decl}
          value={texts[decl.name] ?? ''}
          error={errors[decl.name]}
          onChange={(text) => {
            setTexts((t) => ({ ...t, [decl.name]: text }));
            setErrors(({ [decl.name]: _fixed, ...rest }) => rest);
          }}
        />
      ))}
      <div className="flex justify-end gap-2 border-t border-neutral-800 pt-3">
        <button type="button" className={buttonClass.ghost} onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className={buttonClass.primary}>
          Run with these values
        </button>
      </div>
    </form>
  );
}

/** Asks for the values of a manual run, prefilled with the defaults; nothing starts until they all fit their types. */
export function RunParametersDialog({ parameters, onRun, onClose }: RunParametersDialogProps) {
  return (
    <ModalDialog open={parameters !== null} title="Run with parameters" onClose={onClose} width="w-[26rem]" testId="run-parameters-dialog">
      {parameters ? <RunForm parameters={parameters} onRun={onRun} onClose={onClose} /> : null}
    </ModalDialog>
  );
}
