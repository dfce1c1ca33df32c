'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { FormError } from '@/components/ui/form-error';
import { buttonClass } from '@/components/ui/styles';
import { ConnectionForm } from './connection-form';
import { formFromConnection, whereItPoints } from './connection-form-state';
import { TestResult, type TestAnswer } from './test-result';

type Editing = { mode: 'new' } | { mode: 'edit'; id: string } | null;

const typeLabels = { postgres: 'PostgreSQL', mysql: 'MySQL / MariaDB', sqlite: 'SQLite' } as const;

/** Lists the workspace's connections with test, edit and delete, and the form to create one. */
export function ConnectionsManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const connections = useQuery(trpc.connection.list.queryOptions());
  const [editing, setEditing] = useState<Editing>(null);
  const [results, setResults] = useState<Record<string, TestAnswer>>({});
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.connection.list.queryKey() });
  const test = useMutation(trpc.connection.test.mutationOptions());
  const remove = useMutation(trpc.connection.delete.mutationOptions({ onSuccess: invalidate }));

  async function runTest(id: string) {
    setResults((r) => ({ ...r, [id]: { pending: true } }));
    try {
      const answer = await test.mutateAsync({ id });
      setResults((r) => ({ ...r, [id]: answer }));
    } catch (error) {
      setResults((r) => ({ ...r, [id]: { ok: false, message: errorMessage(error, 'The test could not run') } }));
    }
  }

  const editingConnection = editing?.mode === 'edit' ? connections.data?.find((c) => c.id === editing.id) : undefined;

  return (
    <div className="space-y-6">
      {connections.isPending ? <p className="text-sm text-neutral-400">Loading…</p> : null}
      <FormError message={connections.error ? errorMessage(connections.error, 'Could not load the connections') : null} />
      {connections.data?.length === 0 ? <p className="text-sm text-neutral-400">No connections yet.</p> : null}
      {connections.data && connections.data.length > 0 ? (
        <ul className="divide-y divide-neutral-800 rounded border border-neutral-800" data-testid="connection-list">
          {connections.data.map((c) => (
            <li key={c.id} className="space-y-1 px-4 py-3">
              <div className="flex items-center justify-between gap-3">
                <div className="min-w-0">
                  <p className="truncate font-medium">{c.name}</p>
                  <p className="truncate text-xs text-neutral-400">
                    {typeLabels[c.type]} ·{' '}
                    {whereItPoints(formFromConnection(c))}
                    {c.type !== 'sqlite' ? (c.hasPassword ? ' · password stored' : ' · no password') : ''}
                  </p>
                </div>
                <div className="flex shrink-0 gap-2">
                  <button type="button" className={buttonClass.secondary} onClick={() => void runTest(c.id)}>
                    Test
                  </button>
                  <button type="button" className={buttonClass.secondary} onClick={() => setEditing({ mode: 'edit', id: c.id })}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className={buttonClass.danger}
                    disabled={remove.isPending}
                    onClick={() => {
                      if (window.confirm(`Delete the connection "${c.name}"? Pipelines that use it will fail until they get another one.`)) remove.mutate({ id: c.id });
                    }}
                  >
                    Delete
                  </button>
                </div>
              </div>
              <TestResult answer={results[c.id]} />
            </li>
          ))}
        </ul>
      ) : null}
      <FormError message={remove.error ? errorMessage(remove.error, 'Could not delete the connection') : null} />

      {editing === null ? (
        <button type="button" className={buttonClass.primary} onClick={() => setEditing({ mode: 'new' })}>
          New connection
        </button>
      ) : (
        <section className="space-y-3 rounded border border-neutral-800 p-4">
          <h2 className="text-sm font-semibold text-neutral-300">{editing.mode === 'new' ? 'New connection' : `Edit ${editingConnection?.name ?? 'connection'}`}</h2>
          <ConnectionForm
            key={editing.mode === 'edit' ? editing.id : 'new'}
            existing={editingConnection}
            onDone={() => {
              setEditing(null);
              void invalidate();
            }}
            onCancel={() => setEditing(null)}
          />
        </section>
      )}
    </div>
  );
}
