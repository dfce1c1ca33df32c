// Pipelines as JSON files: export writes the stored VisualPipeline document;
// import checks a file against the same zod model and says what is wrong.
import type { z } from 'zod';
import { FORMAT_VERSION, VisualPipelineSchema, type VisualPipeline } from '@/server/pipeline/model';

export type ImportResult = { ok: true; document: VisualPipeline } | { ok: false; errors: string[] };

const MAX_ERRORS = 8;

export function exportPipeline(document: VisualPipeline): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** A file name from the pipeline's name: lower-case words joined by dashes. */
export function exportFileName(pipelineName: string): string {
  const slug = pipelineName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'pipeline'}.sluice.json`;
}

/** Where in the document an issue is, as a reader would write it: nodes[2].position.x. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out || 'the document';
}

export function parseImportedPipeline(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`The file is not JSON: ${error instanceof SyntaxError ? error.message : String(error)}`] };
  }
  if (typeof json === 'object' && json !== null && 'formatVersion' in json && json.formatVersion !== FORMAT_VERSION) {
    return { ok: false, errors: [`The file is format version ${JSON.stringify(json.formatVersion)}; this Sluice reads version ${FORMAT_VERSION}.`] };
  }
  const parsed = VisualPipelineSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: issueMessages(parsed.error) };

  const errors: string[] = [];
  const ids = new Set<string>();
  parsed.data.nodes.forEach((node, i) => {
    if (ids.has(node.id)) errors.push(`nodes[${i}].id: the id "${node.id}" is used by another node`);
    ids.add(node.id);
  });
  const edgeIds = new Set<string>();
  parsed.data.edges.forEach((edge, i) => {
    if (edgeIds.has(edge.id)) errors.push(`edges[${i}].id: the id "${edge.id}" is used by another edge`);
    edgeIds.add(edge.id);
    for (const end of ['source', 'target'] as const) {
      if (!ids.has(edge[end].node)) errors.push(`edges[${i}].${end}.node: no node has the id "${edge[end].node}"`);
    }
  });
  if (errors.length > 0) return { ok: false, errors: cap(errors) };
  return { ok: true, document: parsed.data };
}

function issueMessages(error: z.ZodError): string[] {
  return cap(error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
}

function cap(errors: string[]): string[] {
  return errors.length > MAX_ERRORS ? [...errors.slice(0, MAX_ERRORS), `…and ${errors.length - MAX_ERRORS} more`] : errors;
}
