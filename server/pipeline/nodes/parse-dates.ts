import { z } from 'zod';
import { cast, col, param, type Expr, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type ColumnLineage, type NodeIssue } from '../define-node';
import type { Column, ColumnType } from '../types';

// Time zones: timestamps in Sluice carry no zone and are read as UTC.
// - Parsing with a zone: the text is wall-clock time in that zone; the result
//   is the same instant in UTC (so "2024-07-01 12:00" in Europe/Paris gives
//   10:00). A format with %z or %Z reads the offset from the text instead.
// - Formatting with a zone: the UTC timestamp is shown as wall-clock time in
//   that zone.
// Conversions go through DuckDB's ICU time zones, so daylight saving applies.

export const DateActions = {
  parse_date: { label: 'Parse text to a date', from: ['string'], to: 'date' },
  parse_timestamp: { label: 'Parse text to a timestamp', from: ['string'], to: 'timestamp' },
  format: { label: 'Format a date or timestamp as text', from: ['date', 'timestamp'], to: 'string' },
} as const satisfies Record<string, { label: string; from: ColumnType[]; to: ColumnType }>;
type DateAction = keyof typeof DateActions;
const actionNames = Object.keys(DateActions) as [DateAction, ...DateAction[]];

export const DateRule = z.object({
  column: z.string().min(1, 'Choose a column'),
  action: z.enum(actionNames),
  /** strftime/strptime specifiers, e.g. %d/%m/%Y %H:%M. */
  format: z.string().max(200).default(''),
  /** IANA zone name, e.g. Europe/Paris; empty: UTC. Timestamps only. */
  timezone: z.string().trim().max(100).default(''),
  /** New column name; empty: replace the column in place. */
  as: z.string().trim().max(255).default(''),
});
export type DateRule = z.infer<typeof DateRule>;

export const ParseDatesConfig = z.object({
  rules: z.array(DateRule).min(1, 'Add at least one column rule'),
  /** A non-NULL text that does not match its format: fail the run (naming column and value), or become NULL. */
  onError: z.enum(['fail', 'null']).default('fail'),
});
export type ParseDatesConfig = z.infer<typeof ParseDatesConfig>;

/** The specifiers DuckDB's strftime/strptime understand; '-' drops padding (%-d). */
const SPECIFIERS = new Set('aAwudbhBmyYGHIpMSgfnzZjUWVcxX%'.split(''));
const PADLESS = new Set('dmyHIMSj'.split(''));

/** Why `format` is not a usable format, or undefined. */
export function formatProblem(format: string): string | undefined {
  if (format === '') return 'Enter a format, e.g. %Y-%m-%d';
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const padless = format[i + 1] === '-';
    const letter = format[i + (padless ? 2 : 1)];
    if (letter === undefined) return `The format ends in an unfinished "${format.slice(i)}"`;
    if (!SPECIFIERS.has(letter) || (padless && !PADLESS.has(letter))) return `"%${padless ? '-' : ''}${letter}" is not a date format specifier (see the strftime table: %Y year, %m month, %d day, %H hour, %M minute, %S second…)`;
    i += padless ? 2 : 1;
  }
  return undefined;
}

const readsOffset = (format: string) => /%[zZ]/.test(format.replace(/%%/g, ''));

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

interface DatesShape {
  /** `rule`: index of the rule producing this column; absent for columns passed through. */
  columns: (Column & { rule?: number })[];
  lineage: Record<string, ColumnLineage>;
  issues: NodeIssue[];
}

function datesShape(config: ParseDatesConfig, input: Column[]): DatesShape {
  const issues: NodeIssue[] = [];
  const columns: DatesShape['columns'] = [...input];
  const lineage = passThroughLineage('input', input);
  const replaced = new Set<string>();
  config.rules.forEach((rule, i) => {
    const at = (key: string) => ['rules', i, key];
    const source = input.find((c) => c.name === rule.column);
    if (!source) {
      issues.push(unknownColumnIssue(rule.column, input, at('column')));
      return;
    }
    const action = DateActions[rule.action];
    const problems: NodeIssue[] = [];
    if (!(action.from as readonly ColumnType[]).includes(source.type)) {
      problems.push({ code: 'TYPE_MISMATCH', path: at('column'), message: `${action.label} needs a ${action.from.join(' or ')} column, but "${source.name}" is ${source.type}` });
    }
    const formatIssue = formatProblem(rule.format);
    if (formatIssue) problems.push({ code: 'INVALID_VALUE', path: at('format'), message: formatIssue });
    if (rule.timezone !== '') {
      const onTimestamps = rule.action === 'parse_timestamp' || (rule.action === 'format' && source.type === 'timestamp');
      if (!onTimestamps) problems.push({ code: 'INVALID_CONFIG', path: at('timezone'), message: 'A time zone applies to timestamps only; dates have no time of day to convert' });
      else if (!isTimeZone(rule.timezone)) problems.push({ code: 'INVALID_VALUE', path: at('timezone'), message: `"${rule.timezone}" is not a time zone; use an IANA name such as Europe/Paris or America/New_York` });
      else if (rule.action === 'parse_timestamp' && readsOffset(rule.format)) {
        problems.push({ code: 'INVALID_CONFIG', path: at('timezone'), message: 'The format reads the offset from the text (%z or %Z); leave the time zone empty' });
      }
    }
    issues.push(...problems);
    if (problems.length > 0) return;

    const output: Column & { rule: number } = { name: rule.as === '' ? source.name : rule.as, type: action.to, rule: i };
    const derived: ColumnLineage = { from: [{ port: 'input', column: source.name }], how: 'derived' };
    if (rule.as === '') {
      if (replaced.has(source.name)) {
        issues.push({ code: 'INVALID_CONFIG', path: at('column'), message: `Column "${source.name}" is already replaced by an earlier rule; give this one a new column name` });
        return;
      }
      replaced.add(source.name);
      columns[columns.findIndex((c) => c.name === source.name)] = output;
    } else {
      const clash = columns.find((c) => c.name.toLowerCase() === rule.as.toLowerCase());
      if (clash) {
        issues.push({ code: 'DUPLICATE_OUTPUT_COLUMN', path: at('as'), message: `The output already has a column "${clash.name}"; choose another name` });
        return;
      }
      columns.push(output);
    }
    lineage[output.name] = derived;
  });
  return { columns, lineage, issues };
}

const text = (value: string): Expr => ({ t: 'literal', value });
const call = (fn: 'try_strptime' | 'strftime' | 'timezone' | 'error' | 'concat', ...args: Expr[]): Expr => ({ t: 'call', fn, args });

function ruleExpr(rule: DateRule, source: Column, onError: ParseDatesConfig['onError']): Expr {
  const value = col(source.name);
  if (rule.action === 'format') {
    // Wall-clock time in the zone: the UTC instant, then its local time there.
    const local = rule.timezone === '' ? value : call('timezone', param(rule.timezone), call('timezone', text('UTC'), value));
    return call('strftime', local, param(rule.format));
  }
  const parsed = call('try_strptime', value, param(rule.format));
  const utc = readsOffset(rule.format)
    ? call('timezone', text('UTC'), parsed)
    : rule.timezone === ''
      ? parsed
      : call('timezone', text('UTC'), call('timezone', param(rule.timezone), parsed));
  const result = rule.action === 'parse_date' ? cast(utc, 'date') : utc;
  if (onError === 'null') return result;
  const unparsed: Expr = { t: 'logical', op: 'AND', items: [{ t: 'isNull', expr: value, negated: true }, { t: 'isNull', expr: parsed, negated: false }] };
  const message = call('concat', text('Column '), param(`"${source.name}"`), text(': the value "'), value, text('" does not match the format '), param(`"${rule.format}"`));
  return { t: 'case', when: [{ condition: unparsed, then: call('error', message) }], else: result };
}

export const parseDates = defineNode({
  kind: 'parse-dates',
  version: 1,
  category: 'transform',
  failsOnData: (config) => config.onError === 'fail',
  label: 'Parse / format dates',
  icon: '⧗',
  description:
    'Per column: parses text into a date or timestamp with a strptime format (e.g. %d/%m/%Y %H:%M), or formats a date or timestamp as text with a strftime format. ' +
    'Text that does not match fails the run, naming the column and the value, or becomes NULL; NULL stays NULL. ' +
    'For timestamps a time zone can be given: parsed text is read as wall-clock time there and converted to UTC, and formatted timestamps (UTC) are shown in that zone’s local time. The result replaces the column or becomes a new one.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Rows' }] },
  config: ParseDatesConfig,
  initialConfig: { rules: [{ column: '', action: 'parse_date', format: '%Y-%m-%d', timezone: '', as: '' }], onError: 'fail' },
  fields: [
    {
      key: 'rules',
      widget: 'list',
      label: 'Columns',
      itemLabel: 'Rule',
      addLabel: 'Add column',
      newItem: { column: '', action: 'parse_date', format: '%Y-%m-%d', timezone: '', as: '' },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'input' },
        { key: 'action', label: 'Action', widget: 'select', options: actionNames.map((a) => ({ value: a, label: DateActions[a].label })) },
        { key: 'format', label: 'Format', widget: 'text', placeholder: '%Y-%m-%d %H:%M:%S', help: '%Y year, %m month, %d day, %H hour, %M minute, %S second, %b month name, %z offset' },
        { key: 'timezone', label: 'Time zone', widget: 'text', placeholder: 'Europe/Paris', help: 'Timestamps only: the zone the text is in, or to show the time in. Empty: UTC' },
        { key: 'as', label: 'New column name', widget: 'text', help: 'Empty: replace the column' },
      ],
    },
    {
      key: 'onError',
      widget: 'select',
      label: 'When text does not match its format',
      options: [
        { value: 'fail', label: 'Fail the run' },
        { value: 'null', label: 'Set it to NULL' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const { columns, lineage, issues } = datesShape(config, inputs.input ?? []);
    return { outputs: { output: columns.map((c) => ({ name: c.name, type: c.type })) }, lineage: { output: lineage }, issues };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('parse-dates planned without an input');
    const columns = inputColumns.input ?? [];
    const items: SelectItem[] = datesShape(config, columns).columns.map((c) => {
      const rule = c.rule === undefined ? undefined : config.rules[c.rule];
      const source = rule && columns.find((x) => x.name === rule.column);
      return rule && source ? { expr: ruleExpr(rule, source, config.onError), as: c.name } : { expr: col(c.name) };
    });
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
