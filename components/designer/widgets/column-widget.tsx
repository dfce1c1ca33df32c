'use client';
import { useInputColumns } from '../compile-context';
import { ChoiceSelect } from './choice-select';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

/** One column of the input port; a chosen column the input no longer has stays shown, flagged "(missing)". */
export function ColumnControl({ spec, nodeId, ...props }: ScalarControlProps<ScalarSpecOf<'column'>>) {
  const columns = useInputColumns(nodeId, spec.port);
  return (
    <ChoiceSelect
      {...props}
      options={columns.map((c) => ({ value: c.name, label: c.name }))}
      emptyText={columns.length === 0 ? 'Connect an input…' : 'Column…'}
      unknownText={(v) => `${v} (missing)`}
    />
  );
}

export function ColumnWidget(props: WidgetProps<FieldOf<'column'>>) {
  return <ColumnControl {...fieldControlProps(props)} />;
}
