// Reading a run's dead letters back: a page at a time for the API, or every
// one as CSV for download. Callers check the run belongs to the workspace
// first (findWorkspaceRun), so a run id alone never reveals another tenant's rows.
import type { Prisma, PrismaNamespace } from '../db/database';
import type { VisualPipeline } from '../pipeline/model';

export const deadLetterSelect = {
  id: true,
  nodeId: true,
  reason: true,
  message: true,
  sourceLine: true,
  rawLine: true,
  row: true,
  createdAt: true,
  reprocessedByRunId: true,
} satisfies PrismaNamespace.DeadLetterSelect;

type DeadLetterRow = PrismaNamespace.DeadLetterGetPayload<{ select: typeof deadLetterSelect }>;

export function toDeadLetter(row: DeadLetterRow) {
  return {
    id: String(row.id),
    nodeId: row.nodeId,
    reason: row.reason,
    message: row.message,
    sourceLine: row.sourceLine,
    rawLine: row.rawLine,
    row: row.row as Record<string, unknown> | null,
    createdAt: row.createdAt,
    /** The run that reprocessed this row and succeeded; null while it waits. */
    reprocessedByRunId: row.reprocessedByRunId,
  };
}
export type DeadLetter = ReturnType<typeof toDeadLetter>;

/** The run, if it exists in the workspace, with its pipeline document (for node labels). */
export async function findWorkspaceRun(db: Prisma, runId: string, workspaceId: string) {
  return db.run.findFirst({ where: { id: runId, workspaceId }, select: { id: true, version: { select: { document: true } } } });
}

export interface DeadLetterPageInput {
  runId: string;
  nodeId?: string | undefined;
  /** The id of the last dead letter of the previous page. */
  cursor?: string | null | undefined;
  limit: number;
}

/** One page in the order the rows were rejected, with the run's count per node. */
export async function listDeadLetters(db: Prisma, input: DeadLetterPageInput) {
  const where = { runId: input.runId, ...(input.nodeId ? { nodeId: input.nodeId } : {}) };
  const rows = await db.deadLetter.findMany({
    where: { ...where, ...(input.cursor ? { id: { gt: BigInt(input.cursor) } } : {}) },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
    select: deadLetterSelect,
  });
  const counts = await db.deadLetter.groupBy({ by: ['nodeId'], where: { runId: input.runId }, _count: { _all: true }, orderBy: { nodeId: 'asc' } });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toDeadLetter),
    nextCursor: rows.length > input.limit ? String(page.at(-1)?.id ?? '') : null,
    byNode: counts.map((c) => ({ nodeId: c.nodeId, count: c._count._all })),
  };
}

export function nodeLabels(document: unknown): (nodeId: string) => string {
  const nodes = (document as Partial<VisualPipeline> | null)?.nodes ?? [];
  const labels = new Map(nodes.map((n) => [n.id, n.label ?? n.id]));
  return (nodeId) => labels.get(nodeId) ?? nodeId;
}

const CSV_PAGE_ROWS = 1_000;

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const deadLetterCsvHeader = ['node_id', 'node', 'reason', 'source_line', 'message', 'raw_line', 'row'];

/** The run's dead letters as CSV lines (header first), read from the database a page at a time. */
export async function* deadLetterCsv(db: Prisma, runId: string, labelOf: (nodeId: string) => string): AsyncGenerator<string> {
  yield `${deadLetterCsvHeader.join(',')}\r\n`;
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await db.deadLetter.findMany({
      where: { runId, ...(cursor !== undefined ? { id: { gt: cursor } } : {}) },
      orderBy: { id: 'asc' },
      take: CSV_PAGE_ROWS,
      select: deadLetterSelect,
    });
    if (rows.length === 0) return;
    yield rows
      .map((r) => [r.nodeId, labelOf(r.nodeId), r.reason, r.sourceLine, r.message, r.rawLine, r.row === null ? null : JSON.stringify(r.row)].map(csvField).join(',') + '\r\n')
      .join('');
    cursor = rows.at(-1)?.id;
  }
}
