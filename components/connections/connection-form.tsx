'use client';
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { FormError } from '@/components/ui/form-error';
import { buttonClass, inputClass, labelClass, selectClass } from '@/components/ui/styles';
import type { ConnectionType } from '@/server/connectors/connection';
import { changeType, emptyForm, formFromConnection, settingsFromForm, type ConnectionFormState } from './connection-form-state';
import { TestResult, type TestAnswer } from './test-result';

interface ExistingConnection {
  id: string;
  name: string;
  type: ConnectionType;
  settings: Record<string, unknown>;
  hasPassword: boolean;
}

/** Creates or edits a connection. The password field is write-only: left empty on edit, the stored one stays. */
export function ConnectionForm({ existing, onDone, onCancel }: { existing: ExistingConnection | undefined; onDone: () => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [form, setForm] = useState<ConnectionFormState>(() => (existing ? formFromConnection(existing) : emptyForm()));
  const [testAnswer, setTestAnswer] = useState<TestAnswer | undefined>();
  const create = useMutation(trpc.connection.create.mutationOptions({ onSuccess: onDone }));
  const update = useMutation(trpc.connection.update.mutationOptions({ onSuccess: onDone }));
  const test = useMutation(trpc.connection.test.mutationOptions());
  const saving = create.isPending || update.isPending;
  const set = (patch: Partial<ConnectionFormState>) => setForm((f) => ({ ...f, ...patch }));

  function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const settings = settingsFromForm(form);
    if (existing) update.mutate({ id: existing.id, name: form.name.trim(), settings });
    else create.mutate({ name: form.name.trim(), settings });
  }

  async function runTest() {
    setTestAnswer({ pending: true });
    try {
      setTestAnswer(await test.mutateAsync({ ...(existing ? { id: existing.id } : {}), settings: settingsFromForm(form) }));
    } catch (error) {
      setTestAnswer({ ok: false, message: errorMessage(error, 'The test could not run') });
    }
  }

  const field = (key: 'host' | 'port' | 'database' | 'user' | 'path', label: string, extra: { placeholder?: string; inputMode?: 'numeric' } = {}) => (
    <div className="space-y-1">
      <label htmlFor={`${id}-${key}`} className={labelClass}>
        {label}
      </label>
      <input id={`${id}-${key}`} className={inputClass} value={form[key]} onChange={(e) => set({ [key]: e.target.value })} required spellCheck={false} {...extra} />
    </div>
  );

  return (
    <form onSubmit={onSubmit} className="grid max-w-xl gap-3" data-testid="connection-form">
      <div className="space-y-1">
        <label htmlFor={`${id}-name`} className={labelClass}>
          Name
        </label>
        <input id={`${id}-name`} className={inputClass} value={form.name} onChange={(e) => set({ name: e.target.value })} maxLength={120} required placeholder="e.g. Orders database" />
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-type`} className={labelClass}>
          Type
        </label>
        <select id={`${id}-type`} className={selectClass} value={form.type} onChange={(e) => setForm((f) => changeType(f, e.target.value as ConnectionType))}>
          <option value="postgres">PostgreSQL</option>
          <option value="mysql">MySQL / MariaDB</option>
          <option value="sqlite">SQLite file in the workspace</option>
        </select>
      </div>
      {form.type === 'sqlite' ? (
        field('path', 'File path', { placeholder: 'data/app.sqlite (relative to the workspace files folder)' })
      ) : (
        <>
          <div className="grid grid-cols-[1fr_7rem] gap-3">
            {field('host', 'Host')}
            {field('port', 'Port', { inputMode: 'numeric' })}
          </div>
          {field('database', 'Database')}
          {field('user', 'User')}
          <div className="space-y-1">
            <label htmlFor={`${id}-password`} className={labelClass}>
              Password
            </label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="new-password"
              className={inputClass}
              value={form.password}
              onChange={(e) => set({ password: e.target.value })}
              placeholder={existing?.hasPassword ? 'Stored — leave empty to keep it' : ''}
              aria-describedby={`${id}-password-help`}
            />
            <p id={`${id}-password-help`} className="text-xs text-neutral-500">
              {existing?.hasPassword ? 'A password is stored. It is never shown; type a new one to replace it.' : 'Stored encrypted; never shown again.'}
            </p>
          </div>
          <div className="space-y-1">
            <label htmlFor={`${id}-ssl`} className={labelClass}>
              TLS
            </label>
            <select id={`${id}-ssl`} className={selectClass} value={form.ssl} onChange={(e) => set({ ssl: e.target.value as ConnectionFormState['ssl'] })}>
              <option value="disable">Off</option>
              <option value="require">Required (certificate not verified)</option>
              <option value="verify-full">Required and verified</option>
            </select>
          </div>
        </>
      )}
      <FormError message={create.error || update.error ? errorMessage(create.error ?? update.error, 'Could not save the connection') : null} />
      <TestResult answer={testAnswer} />
      <div className="flex gap-2">
        <button type="submit" className={buttonClass.primary} disabled={saving}>
          {saving ? 'Saving…' : existing ? 'Save changes' : 'Create connection'}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={() => void runTest()} disabled={testAnswer !== undefined && 'pending' in testAnswer}>
          Test connection
        </button>
        <button type="button" className={buttonClass.ghost} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
