// The node reference (docs/nodes.md), written from the registry so it can never
// drift from what the palette, forms and compiler use.
import type { FieldSpec, ListItemField, NodeDefinition } from './define-node';
import { categoryOrder, nodesInCategory } from './registry';

const widgetNames: Record<FieldSpec['widget'], string> = {
  text: 'text',
  number: 'number',
  select: 'choice',
  toggle: 'yes/no',
  column: 'column',
  expression: 'SQL expression',
  code: 'code',
  list: 'list',
  csvUpload: 'file upload',
  schema: 'column list with types',
  columnList: 'columns',
  conditions: 'conditions',
  connection: 'connection',
  tablePicker: 'table picker',
};

function describeField(field: FieldSpec | ListItemField): string {
  const options = field.widget === 'select' ? `: ${field.options.map((o) => `\`${o.value}\``).join(', ')}` : '';
  return `${widgetNames[field.widget]}${options}`;
}

function nodeSection(def: NodeDefinition): string {
  const ports = (list: { name: string; label: string }[]) => (list.length === 0 ? '—' : list.map((p) => `\`${p.name}\` (${p.label})`).join(', '));
  const rows = def.fields.flatMap((f) => {
    const row = `| \`${f.key}\` | ${f.label} | ${describeField(f)} | ${f.help ?? ''} |`;
    if (f.widget !== 'list') return [row];
    return [row, ...f.itemFields.map((i) => `| \`${f.key}[].${i.key}\` | ${f.itemLabel} ${i.label} | ${describeField(i)} | ${i.help ?? ''} |`)];
  });
  return [
    `### ${def.icon} ${def.label} — \`${def.kind}\` v${def.version}`,
    '',
    def.description,
    '',
    `Inputs: ${ports(def.ports.inputs)}. Outputs: ${ports(def.ports.outputs)}.`,
    '',
    '| setting | label | kind | help |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export function nodeReferenceMarkdown(): string {
  const parts = ['# Node reference', '', 'Generated from `server/pipeline/registry.ts` by `npm run docs:nodes`; do not edit by hand.', ''];
  for (const { category, label } of categoryOrder) {
    parts.push(`## ${label}`, '');
    for (const def of nodesInCategory(category)) parts.push(nodeSection(def));
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
