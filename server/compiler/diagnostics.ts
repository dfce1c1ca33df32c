// The catalogue of compiler diagnostics. Codes are stable: the UI, tests and
// API clients branch on them; messages are for people.
import type { NodeIssue } from '../pipeline/define-node';

export const DiagnosticCodes = {
  DOCUMENT_INVALID: 'The pipeline document does not have the expected shape',
  EMPTY_PIPELINE: 'The pipeline has no nodes',
  UNKNOWN_NODE_KIND: 'No node kind with this name exists',
  UNSUPPORTED_NODE_VERSION: 'This version of the node kind is not supported',
  DUPLICATE_NODE_ID: 'Two nodes share an id',
  EDGE_UNKNOWN_NODE: 'An edge points at a node that does not exist',
  EDGE_UNKNOWN_PORT: 'An edge points at a port the node does not have',
  INPUT_ALREADY_CONNECTED: 'An input port has more than one incoming edge',
  CYCLE: 'The edges form a cycle',
  INPUT_NOT_CONNECTED: 'A required input is not connected',
  INVALID_CONFIG: 'A setting is missing or invalid',
  UNKNOWN_COLUMN: 'A setting names a column the input does not have',
  TYPE_MISMATCH: 'A column has the wrong type for this use',
  INVALID_VALUE: 'A value does not fit its column type',
  INVALID_EXPRESSION: 'An SQL expression does not parse, uses something not allowed, or names a missing column',
  DUPLICATE_OUTPUT_COLUMN: 'Two output columns would have the same name',
  NO_DESTINATION: 'The pipeline writes nowhere',
  UNREACHABLE_SINK: 'No source reaches this destination',
  OUTPUT_UNUSED: 'A node output is not connected to anything',
} as const satisfies Record<string, string>;

export type DiagnosticCode = keyof typeof DiagnosticCodes;
// Node issues are diagnostics too; this fails to compile if a kind invents a code.
type _NodeIssueCodesAreCatalogued = NodeIssue['code'] extends DiagnosticCode ? true : never;
export const nodeIssueCodesAreCatalogued: _NodeIssueCodesAreCatalogued = true;

export interface Diagnostic {
  code: DiagnosticCode;
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  edgeId?: string;
  port?: string;
  /** Path into the node's config, e.g. ['rules', 0, 'column']. */
  path?: (string | number)[];
}

export const hasErrors = (diagnostics: Diagnostic[]): boolean => diagnostics.some((d) => d.severity === 'error');

/** One line a person can read in a run's error message or a log. */
export function formatDiagnostic(d: Diagnostic, nodeLabel?: (nodeId: string) => string): string {
  const where = d.nodeId ? `${nodeLabel ? nodeLabel(d.nodeId) : d.nodeId}${d.path?.length ? ` › ${d.path.join('.')}` : ''}: ` : '';
  return `${where}${d.message} [${d.code}]`;
}
