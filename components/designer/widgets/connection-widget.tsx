'use client';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc';
import { ChoiceSelect } from './choice-select';
import type { FieldOf, WidgetProps } from './widget-types';

/** One of the workspace's stored connections of the field's type; the value is its id. */
export function ConnectionWidget({ field, value, onChange, inputId, describedBy, issues }: WidgetProps<FieldOf<'connection'>>) {
  const trpc = useTRPC();
  const connections = useQuery(trpc.connection.list.queryOptions());
  const options = (connections.data ?? []).filter((c) => c.type === field.connectionType).map((c) => ({ value: c.id, label: c.name }));
  return (
    <>
      <ChoiceSelect
        value={value}
        onChange={onChange}
        id={inputId}
        label={field.label}
        describedBy={describedBy}
        invalid={issues.length > 0}
        options={options}
        emptyText={connections.isPending ? 'Loading connections…' : options.length === 0 ? 'No connections of this type yet' : 'Choose…'}
        unknownText={() => 'A connection that no longer exists'}
      />
      {connections.error ? (
        <p className="text-xs text-red-300" role="alert">
          {connections.error.message}
        </p>
      ) : null}
      <Link href="/connections" className="text-xs text-sky-400 hover:underline" target="_blank">
        Manage connections
      </Link>
    </>
  );
}
