import { ChoiceSelect } from './choice-select';
import { fieldControlProps, type FieldOf, type ScalarControlProps, type ScalarSpecOf, type WidgetProps } from './widget-types';

export function SelectControl({ spec, nodeId: _nodeId, ...props }: ScalarControlProps<ScalarSpecOf<'select'>>) {
  return <ChoiceSelect {...props} options={spec.options} emptyText="Choose…" unknownText={(v) => `${v} (unknown)`} />;
}

export function SelectWidget(props: WidgetProps<FieldOf<'select'>>) {
  return <SelectControl {...fieldControlProps(props)} />;
}
