'use client';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc';
import { buttonClass } from '@/components/ui/styles';
import { useDesignerStore } from '../store-context';
import { ChoiceSelect } from './choice-select';
import { readString } from './config-values';
import type { FieldOf, WidgetProps } from './widget-types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Option values name schema and table unambiguously, whatever characters they hold. */
const optionValue = (schema: string, table: string) => JSON.stringify([schema, table]);

function parseOption(value: string): [string, string] | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string') ? [parsed[0] as string, parsed[1] as string] : undefined;
  } catch {
    return undefined;
  }
}

/** Picks a table the connection lists; fills the table, its schema and its columns with their Sluice types. */
export function TablePickerWidget({ field, nodeId, value, onMerge, inputId, describedBy, issues }: WidgetProps<FieldOf<'tablePicker'>>) {
  const trpc = useTRPC();
  const config = useDesignerStore((s) => s.nodes.find((n) => n.id === nodeId)?.data.config);
  const connectionId = readString(config?.[field.connectionKey]);
  const schema = readString(config?.schema);
  const table = readString(value);
  const discovered = useQuery({ ...trpc.connection.discover.queryOptions({ id: connectionId }), enabled: UUID.test(connectionId), staleTime: 60_000, retry: false });

  const tables = (discovered.data?.schemas ?? []).flatMap((s) => s.tables.map((t) => ({ schema: s.name, table: t })));
  const options = tables.map(({ schema: s, table: t }) => ({
    value: optionValue(s, t.name),
    label: `${discovered.data?.type === 'sqlite' ? '' : `${s}.`}${t.name}${t.kind === 'view' ? ' (view)' : ''}`,
  }));

  function pick(choice: unknown) {
    const [s, t] = parseOption(readString(choice)) ?? ['', ''];
    const found = tables.find((x) => x.schema === s && x.table.name === t);
    if (!found) return;
    onMerge({ schema: s, table: t, columns: found.table.columns.map((c) => ({ name: c.name, type: c.type })) });
  }

  if (!UUID.test(connectionId)) return <p className="text-xs text-neutral-500">{field.label}: choose a connection first.</p>;
  return (
    <>
      <ChoiceSelect
        value={table === '' ? '' : optionValue(schema, table)}
        onChange={pick}
        id={inputId}
        label={field.label}
        describedBy={describedBy}
        invalid={issues.length > 0}
        options={options}
        emptyText={discovered.isPending ? 'Reading the tables…' : 'Choose…'}
        unknownText={() => `${schema ? `${schema}.` : ''}${table} (not found in the database)`}
      />
      {discovered.error ? (
        <p className="text-xs text-red-300" role="alert">
          {discovered.error.message}
        </p>
      ) : null}
      <button type="button" className={`${buttonClass.ghost} px-1.5 py-0.5 text-xs`} onClick={() => void discovered.refetch()} disabled={discovered.isFetching}>
        {discovered.isFetching ? 'Reading…' : 'Reload tables'}
      </button>
    </>
  );
}
