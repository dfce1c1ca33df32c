// One component per widget, chosen by `field.widget`. A new widget in FieldSpec
// fails to type-check here until it has a component.
import type { ComponentType } from 'react';
import type { FieldSpec } from '@/server/pipeline/define-node';
import { CodeWidget } from './code-widget';
import { ColumnListWidget } from './column-list-widget';
import { ColumnWidget } from './column-widget';
import { ConditionsWidget } from './conditions-widget';
import { ConnectionWidget } from './connection-widget';
import { CsvUploadWidget } from './csv-upload-widget';
import { ExpressionWidget } from './expression-widget';
import { ListWidget } from './list-widget';
import { NumberWidget } from './number-widget';
import { SchemaWidget } from './schema-widget';
import { SelectWidget } from './select-widget';
import { TablePickerWidget } from './table-picker-widget';
import { TextWidget } from './text-widget';
import { ToggleWidget } from './toggle-widget';
import type { FieldOf, WidgetName, WidgetProps } from './widget-types';

type WidgetComponents = { [W in WidgetName]: ComponentType<WidgetProps<FieldOf<W>>> };

export const widgetComponents: WidgetComponents = {
  text: TextWidget,
  number: NumberWidget,
  select: SelectWidget,
  toggle: ToggleWidget,
  column: ColumnWidget,
  expression: ExpressionWidget,
  code: CodeWidget,
  list: ListWidget,
  csvUpload: CsvUploadWidget,
  schema: SchemaWidget,
  columnList: ColumnListWidget,
  conditions: ConditionsWidget,
  connection: ConnectionWidget,
  tablePicker: TablePickerWidget,
};

function isWidget<W extends WidgetName>(field: FieldSpec, widget: W): field is FieldOf<W> {
  return field.widget === widget;
}

// W ties the widget name to its component's props (the correlated-union pattern, TypeScript #47109).
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function renderWidget<W extends WidgetName>(widget: W, props: WidgetProps) {
  const Component: ComponentType<WidgetProps<FieldOf<W>>> = widgetComponents[widget];
  const { field } = props;
  return isWidget(field, widget) ? <Component {...props} field={field} /> : null;
}

/** Renders the control for one form field. */
export function FieldWidget(props: WidgetProps) {
  return renderWidget(props.field.widget, props);
}
