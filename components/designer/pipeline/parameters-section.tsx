'use client';
import { useId, useMemo, useState } from 'react';
import { ParameterTypes, type ParameterDeclaration, type ParameterType } from '@/server/pipeline/model';
import { buttonClass, inputClass, selectClass } from '@/components/ui/styles';
import { nodeDisplayLabel } from '../document';
import { useDesignerStore } from '../store-context';
import { changeParameterType, defaultFromInput, defaultToInput, newParameterName, parameterIssues, parameterNameProblem, parameterTypeLabels, parameterUsages, type ParameterUsage } from './parameter-edits';

const noParameters: ParameterDeclaration[] = [];
const isParameterType = (value: string): value is ParameterType => (ParameterTypes as readonly string[]).includes(value);

/** A text input whose text is the user's until it reads as something else than the stored value (undo, a type change). */
function useEditedText(stored: string, reads: (text: string) => string) {
  const [text, setText] = useState(stored);
  const [seen, setSeen] = useState(stored);
  if (seen !== stored) {
    setSeen(stored);
    if (reads(text) !== stored) setText(stored);
  }
  return [text, setText] as const;
}

function DefaultInput({ decl, index, invalid, describedBy, onChange }: { decl: ParameterDeclaration; index: number; invalid: boolean; describedBy: string | undefined; onChange: (value: ParameterDeclaration['default']) => void }) {
  const id = useId();
  const stored = defaultToInput(decl.default);
  const reads = useMemo(() => (text: string) => defaultToInput(defaultFromInput(decl.type, text)), [decl.type]);
  const [text, setText] = useEditedText(stored, reads);
  const common = { id, 'aria-label': `Parameter ${decl.name} default`, 'aria-invalid': invalid, 'aria-describedby': describedBy };
  const label = (
    <label htmlFor={id} className="block text-[11px] text-neutral-400">
      Default
    </label>
  );
  if (decl.type === 'boolean') {
    return (
      <div className="space-y-0.5">
        {label}
        <select {...common} className={`${selectClass} px-1.5 py-0.5 text-xs`} value={stored} onChange={(e) => onChange(defaultFromInput('boolean', e.target.value))}>
          <option value="">None (required)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      </div>
    );
  }
  const placeholders: Record<Exclude<ParameterType, 'boolean'>, string> = { string: 'None (required)', integer: 'e.g. 10', float: 'e.g. 2.5', date: 'YYYY-MM-DD', timestamp: 'e.g. 2024-01-31T12:00:00Z' };
  return (
    <div className="space-y-0.5" data-parameter-index={index}>
      {label}
      <input
        {...common}
        type={decl.type === 'date' ? 'date' : 'text'}
        inputMode={decl.type === 'integer' ? 'numeric' : decl.type === 'float' ? 'decimal' : undefined}
        className={`${inputClass} px-1.5 py-0.5 text-xs`}
        value={text}
        placeholder={placeholders[decl.type]}
        maxLength={10_000}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          onChange(defaultFromInput(decl.type, e.target.value));
        }}
      />
    </div>
  );
}

function NameInput({ decl, others, onRename }: { decl: ParameterDeclaration; others: readonly ParameterDeclaration[]; onRename: (name: string) => void }) {
  const id = useId();
  const [text, setText] = useState(decl.name);
  const problem = text === decl.name ? null : parameterNameProblem(text, others);
  const commit = () => {
    if (text !== decl.name && problem === null) onRename(text);
  };
  return (
    <div className="min-w-0 flex-1 space-y-0.5">
      <label htmlFor={id} className="block text-[11px] text-neutral-400">
        Name
      </label>
      <input
        id={id}
        type="text"
        className={`${inputClass} px-1.5 py-0.5 font-mono text-xs`}
        value={text}
        aria-label={`Parameter ${decl.name} name`}
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${id}-problem` : undefined}
        spellCheck={false}
        maxLength={64}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(decl.name);
        }}
      />
      {problem ? (
        <p id={`${id}-problem`} className="text-xs text-red-300" data-testid="parameter-error">
          {problem} (the name stays “{decl.name}” until this is fixed)
        </p>
      ) : null}
    </div>
  );
}

function Usages({ name, usages }: { name: string; usages: readonly ParameterUsage[] }) {
  const selectNode = useDesignerStore((s) => s.selectNode);
  if (usages.length === 0) {
    return (
      <p className="text-[11px] text-neutral-500" data-testid="parameter-usages">
        Not used yet: write <code className="text-neutral-300">{`{{params.${name}}}`}</code> in a node setting.
      </p>
    );
  }
  return (
    <div className="text-[11px] text-neutral-400" data-testid="parameter-usages">
      Used in{' '}
      {usages.map((u, i) => (
        <span key={`${u.nodeId}:${u.field}`}>
          {i > 0 ? ', ' : null}
          <button type="button" className={u.refused ? 'text-red-300 underline' : 'text-sky-400 underline hover:text-sky-300'} onClick={() => selectNode(u.nodeId)} title={u.refused ? 'JavaScript code cannot take parameters; a run would refuse this' : 'Select the node'}>
            {u.nodeLabel} › {u.field}
          </button>
        </span>
      ))}
    </div>
  );
}

/** The pipeline's parameters: declared here, given values when a run starts, used in node settings as {{params.name}}. */
export function ParametersSection() {
  const parameters = useDesignerStore((s) => s.parameters) ?? noParameters;
  const nodes = useDesignerStore((s) => s.nodes);
  const setParameters = useDesignerStore((s) => s.setParameters);
  const renameParameter = useDesignerStore((s) => s.renameParameter);
  const issues = parameterIssues(parameters);
  const usages = useMemo(
    () => parameterUsages(nodes.map((n) => ({ id: n.id, kind: n.data.kind, config: n.data.config, label: nodeDisplayLabel(n.data) })), parameters),
    [nodes, parameters],
  );

  const update = (index: number, patch: (p: ParameterDeclaration) => ParameterDeclaration, field: string) =>
    setParameters(parameters.map((p, i) => (i === index ? patch(p) : p)), `parameter:${index}:${field}`);
  const add = (name = newParameterName(parameters)) => setParameters([...parameters, { name, type: 'string' }]);

  return (
    <section className="space-y-2" aria-labelledby="pipeline-parameters-heading" data-testid="pipeline-parameters">
      <h3 id="pipeline-parameters-heading" className="text-xs font-semibold tracking-wide text-neutral-400 uppercase">
        Parameters
      </h3>
      <p className="text-xs text-neutral-500">
        Values given when a run starts, used in node settings as <code className="text-neutral-300">{'{{params.name}}'}</code>. Without a default, a run must give a value.
      </p>
      <ul className="space-y-2">
        {parameters.map((decl, index) => {
          const defaultIssue = issues.find((i) => i.index === index && i.field === 'default');
          const nameIssue = issues.find((i) => i.index === index && i.field === 'name');
          const defaultIssueId = `parameter-${index}-default-issue`;
          return (
            <li key={`${index}:${decl.name}`} className="space-y-1.5 rounded border border-neutral-800 bg-neutral-900/60 p-2" data-testid="parameter" data-parameter={decl.name}>
              <div className="flex items-end gap-1.5">
                <NameInput decl={decl} others={parameters.filter((_, i) => i !== index)} onRename={(name) => renameParameter(decl.name, name)} />
                <button type="button" className={`${buttonClass.ghost} px-1.5 py-0.5 text-xs`} aria-label={`Remove parameter ${decl.name}`} onClick={() => setParameters(parameters.filter((_, i) => i !== index))}>
                  Remove
                </button>
              </div>
              {nameIssue ? (
                <p className="text-xs text-red-300" data-testid="parameter-error">
                  {nameIssue.message}
                </p>
              ) : null}
              <div className="grid grid-cols-2 gap-1.5">
                <div className="space-y-0.5">
                  <label htmlFor={`parameter-${index}-type`} className="block text-[11px] text-neutral-400">
                    Type
                  </label>
                  <select
                    id={`parameter-${index}-type`}
                    aria-label={`Parameter ${decl.name} type`}
                    className={`${selectClass} px-1.5 py-0.5 text-xs`}
                    value={decl.type}
                    onChange={(e) => {
                      const type = e.target.value;
                      if (isParameterType(type)) update(index, (p) => changeParameterType(p, type), 'type');
                    }}
                  >
                    {ParameterTypes.map((t) => (
                      <option key={t} value={t}>
                        {parameterTypeLabels[t]}
                      </option>
                    ))}
                  </select>
                </div>
                <DefaultInput
                  decl={decl}
                  index={index}
                  invalid={defaultIssue !== undefined}
                  describedBy={defaultIssue ? defaultIssueId : undefined}
                  onChange={(value) =>
                    update(
                      index,
                      (p) => {
                        const next = { ...p };
                        if (value === undefined) delete next.default;
                        else next.default = value;
                        return next;
                      },
                      'default',
                    )
                  }
                />
              </div>
              {defaultIssue ? (
                <p id={defaultIssueId} className="text-xs text-red-300" data-testid="parameter-error">
                  {defaultIssue.message}
                </p>
              ) : null}
              <div className="space-y-0.5">
                <label htmlFor={`parameter-${index}-description`} className="block text-[11px] text-neutral-400">
                  Description
                </label>
                <input
                  id={`parameter-${index}-description`}
                  type="text"
                  aria-label={`Parameter ${decl.name} description`}
                  className={`${inputClass} px-1.5 py-0.5 text-xs`}
                  value={decl.description ?? ''}
                  maxLength={500}
                  onChange={(e) =>
                    update(
                      index,
                      (p) => {
                        const next = { ...p };
                        if (e.target.value === '') delete next.description;
                        else next.description = e.target.value;
                        return next;
                      },
                      'description',
                    )
                  }
                />
              </div>
              <Usages name={decl.name} usages={usages.byName.get(decl.name) ?? []} />
            </li>
          );
        })}
      </ul>
      {usages.undeclared.length > 0 ? (
        <div className="space-y-1 rounded border border-amber-900/70 bg-amber-950/30 p-2 text-xs text-amber-200" data-testid="undeclared-parameters">
          {[...new Set(usages.undeclared.map((u) => u.name))].map((name) => (
            <p key={name}>
              {usages.undeclared
                .filter((u) => u.name === name)
                .map((u) => `${u.nodeLabel} › ${u.field}`)
                .join(', ')}{' '}
              {usages.undeclared.filter((u) => u.name === name).length === 1 ? 'uses' : 'use'} <code>{`{{params.${name}}}`}</code>, which is not declared; a run would be refused.{' '}
              {parameterNameProblem(name, parameters) === null ? (
                <button type="button" className="underline hover:text-white" onClick={() => add(name)}>
                  Declare “{name}”
                </button>
              ) : null}
            </p>
          ))}
        </div>
      ) : null}
      <button type="button" className={`${buttonClass.secondary} px-2 py-0.5 text-xs`} onClick={() => add()}>
        Add parameter
      </button>
    </section>
  );
}
