import { z } from 'zod';
import { col, param, type Expr, type SelectItem } from '../../sql/ast';
import { defineNode, passThroughLineage, unknownColumnIssue, type NodeIssue } from '../define-node';
import type { Column } from '../types';

/** The cleaning operations, in the order the form offers them. */
const CleanOperations = {
  trim: 'trim surrounding whitespace',
  lower: 'lower case',
  upper: 'upper case',
  title_case: 'title case (each word capitalised)',
  collapse_whitespace: 'collapse runs of whitespace to one space',
  strip_html: 'strip HTML tags',
  regex_replace: 'regex replace',
  normalize_email: 'normalise email',
  normalize_phone: 'normalise phone',
} as const;
export type CleanOperation = keyof typeof CleanOperations;
const operationNames = Object.keys(CleanOperations) as [CleanOperation, ...CleanOperation[]];

/** Deliberately loose: one @, no whitespace, a dot in the domain. */
export const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
/**
 * Title case splits text into words and gaps: a word is a maximal run of
 * letters, combining marks and digits (Unicode L, M, N), anything else is a
 * gap. Each piece is lower-cased, then its first character upper-cased (a no-op
 * for gaps and for words starting with a digit: "3rd" stays "3rd").
 */
export const WORD_OR_GAP_PATTERN = '[\\pL\\pM\\pN]+|[^\\pL\\pM\\pN]+';
/** Phone numbers with fewer digits than this become NULL. */
export const MIN_PHONE_DIGITS = 7;

export const CleanStep = z.object({
  column: z.string().min(1, 'Choose a column'),
  operation: z.enum(operationNames),
  /** regex_replace only. */
  pattern: z.string().default(''),
  /** regex_replace only; \1 refers to the first group. */
  replacement: z.string().default(''),
  /** normalize_email only. */
  nullIfInvalid: z.boolean().default(false),
});
export type CleanStep = z.infer<typeof CleanStep>;

export const CleanTextConfig = z.object({
  steps: z.array(CleanStep).min(1, 'Add at least one step'),
});
export type CleanTextConfig = z.infer<typeof CleanTextConfig>;

function isRegex(pattern: string): boolean {
  // DuckDB uses RE2; JavaScript's parser accepts a superset, so this catches typos, not every RE2 limit.
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function stepIssues(step: CleanStep, i: number, columns: Column[]): NodeIssue[] {
  const column = columns.find((c) => c.name === step.column);
  if (!column) return [unknownColumnIssue(step.column, columns, ['steps', i, 'column'])];
  if (column.type !== 'string') {
    return [{ code: 'TYPE_MISMATCH', path: ['steps', i, 'column'], message: `Text cleaning needs a text column, but "${column.name}" is ${column.type}` }];
  }
  if (step.operation === 'regex_replace') {
    if (step.pattern === '') return [{ code: 'INVALID_VALUE', path: ['steps', i, 'pattern'], message: 'Write the pattern to replace' }];
    if (!isRegex(step.pattern)) return [{ code: 'INVALID_VALUE', path: ['steps', i, 'pattern'], message: `"${step.pattern}" is not a valid regular expression` }];
  }
  return [];
}

const call = (
  fn: 'trim' | 'lower' | 'upper' | 'regexp_replace' | 'regexp_matches' | 'length' | 'starts_with' | 'concat' | 'regexp_extract_all' | 'list_transform' | 'array_to_string' | 'left' | 'substr',
  ...args: Expr[]
): Expr => ({ t: 'call', fn, args });
const global = (): Expr => ({ t: 'literal', value: 'g' });
const replaceAll = (e: Expr, pattern: string, replacement: string): Expr => call('regexp_replace', e, { t: 'literal', value: pattern }, { t: 'literal', value: replacement }, global());

/** Applies one step to the expression built so far. */
function stepExpr(step: CleanStep, e: Expr): Expr {
  switch (step.operation) {
    case 'trim':
    case 'lower':
    case 'upper':
      return call(step.operation, e);
    case 'title_case': {
      const pieces = call('regexp_extract_all', call('lower', e), { t: 'literal', value: WORD_OR_GAP_PATTERN });
      const piece = col('piece');
      const capitalise: Expr = { t: 'lambda', params: ['piece'], body: call('concat', call('upper', call('left', piece, { t: 'literal', value: 1 })), call('substr', piece, { t: 'literal', value: 2 })) };
      return call('array_to_string', call('list_transform', pieces, capitalise), { t: 'literal', value: '' });
    }
    case 'collapse_whitespace':
      return replaceAll(e, '\\s+', ' ');
    case 'strip_html':
      return replaceAll(e, '<[^>]*>', '');
    case 'regex_replace':
      return call('regexp_replace', e, param(step.pattern), param(step.replacement), global());
    case 'normalize_email': {
      const email = call('lower', call('trim', e));
      if (!step.nullIfInvalid) return email;
      return { t: 'case', when: [{ condition: call('regexp_matches', email, { t: 'literal', value: EMAIL_PATTERN }), then: email }] };
    }
    case 'normalize_phone': {
      const digits = replaceAll(e, '[^0-9]', '');
      return {
        t: 'case',
        when: [
          { condition: { t: 'compare', op: '<', left: call('length', digits), right: { t: 'literal', value: MIN_PHONE_DIGITS } }, then: { t: 'literal', value: null } },
          { condition: call('starts_with', call('trim', e), { t: 'literal', value: '+' }), then: call('concat', { t: 'literal', value: '+' }, digits) },
        ],
        else: digits,
      };
    }
  }
}

export const cleanText = defineNode({
  kind: 'clean-text',
  version: 1,
  category: 'transform',
  label: 'Clean text',
  icon: '¶',
  description:
    'Cleans text columns in place with a list of steps applied in order: trim, lower or upper case, title case (each word’s first letter upper, the rest lower; a word is a run of letters, marks and digits, so "o’neil-smith" becomes "O’Neil-Smith"), collapse whitespace, strip HTML tags, regex replace, normalise emails (trimmed, lower case, optionally NULL when not email-like) and phone numbers (digits and a leading +, NULL with fewer than 7 digits). Several steps on one column compose; names and types stay the same.',
  ports: { inputs: [{ name: 'input', label: 'Rows' }], outputs: [{ name: 'output', label: 'Cleaned rows' }] },
  config: CleanTextConfig,
  initialConfig: { steps: [{ column: '', operation: 'trim', pattern: '', replacement: '', nullIfInvalid: false }] },
  fields: [
    {
      key: 'steps',
      widget: 'list',
      label: 'Steps',
      itemLabel: 'Step',
      addLabel: 'Add step',
      newItem: { column: '', operation: 'trim', pattern: '', replacement: '', nullIfInvalid: false },
      itemFields: [
        { key: 'column', label: 'Column', widget: 'column', port: 'input' },
        { key: 'operation', label: 'Operation', widget: 'select', options: operationNames.map((o) => ({ value: o, label: CleanOperations[o] })) },
        { key: 'pattern', label: 'Pattern', widget: 'text', help: 'Regex replace only (RE2 syntax)' },
        { key: 'replacement', label: 'Replacement', widget: 'text', help: 'Regex replace only; \\1 inserts the first group' },
        { key: 'nullIfInvalid', label: 'NULL when not an email', widget: 'toggle', help: 'Normalise email only' },
      ],
    },
  ],
  propagate: ({ config, inputs }) => {
    const columns = inputs.input ?? [];
    const lineage = passThroughLineage('input', columns);
    for (const step of config.steps) {
      if (lineage[step.column]) lineage[step.column] = { from: [{ port: 'input', column: step.column }], how: 'derived' };
    }
    return { outputs: { output: columns }, lineage: { output: lineage }, issues: config.steps.flatMap((s, i) => stepIssues(s, i, columns)) };
  },
  plan: ({ config, inputs, inputColumns, outputTable }) => {
    const input = inputs.input;
    if (!input) throw new Error('clean-text planned without an input');
    const items: SelectItem[] = (inputColumns.input ?? []).map((c) => {
      const steps = config.steps.filter((s) => s.column === c.name);
      if (steps.length === 0) return { expr: col(c.name) };
      return { expr: steps.reduce((e, s) => stepExpr(s, e), col(c.name)), as: c.name };
    });
    return [{ op: 'materialize', table: outputTable('output'), query: { t: 'select', items, from: input } }];
  },
});
