// One control per scalar widget, chosen by `spec.widget`; used by list items.
// Top-level fields reach the same controls through their own widget components.
import type { ComponentType } from 'react';
import type { ScalarWidget } from '@/server/pipeline/define-node';
import { CodeControl } from './code-widget';
import { ColumnControl } from './column-widget';
import { ExpressionControl } from './expression-widget';
import { NumberControl } from './number-widget';
import { SelectControl } from './select-widget';
import { TextControl } from './text-widget';
import { ToggleControl } from './toggle-widget';
import type { ScalarControlProps, ScalarName, ScalarSpecOf } from './widget-types';

type ScalarControls = { [W in ScalarName]: ComponentType<ScalarControlProps<ScalarSpecOf<W>>> };

export const scalarControls: ScalarControls = {
  text: TextControl,
  number: NumberControl,
  select: SelectControl,
  toggle: ToggleControl,
  column: ColumnControl,
  expression: ExpressionControl,
  code: CodeControl,
};

function isScalar<W extends ScalarName>(spec: ScalarWidget, widget: W): spec is ScalarSpecOf<W> {
  return spec.widget === widget;
}

// W ties the widget name to its control's props (the correlated-union pattern, TypeScript #47109).
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function renderControl<W extends ScalarName>(widget: W, props: ScalarControlProps) {
  const Control: ComponentType<ScalarControlProps<ScalarSpecOf<W>>> = scalarControls[widget];
  const { spec } = props;
  return isScalar(spec, widget) ? <Control {...props} spec={spec} /> : null;
}

/** Renders the labelled control for one scalar spec. */
export function ScalarControl(props: ScalarControlProps) {
  return renderControl(props.spec.widget, props);
}
