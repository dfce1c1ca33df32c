// Reading a run's log lines back, newest first a page at a time, for the log
// tail: the browser keeps only the latest lines and asks for older ones when
// the reader scrolls back. Log lines are the run's `log` events; their time is
// when they were recorded. Callers check the run belongs to the workspace first.
import type { Prisma, PrismaNamespace } from '../db/database';
import { RunEventPayloadSchema } from './events';

export type RunLogLevel = 'info' | 'warn' | 'error';

export interface RunLogLine {
  /** The event's id: orders the lines and is the cursor of the next page. */
  id: string;
  at: Date;
  level: RunLogLevel;
  message: string;
  nodeId: string | null;
}

export interface RunLogPageInput {
  runId: string;
  /** Only lines older than this one (the `olderCursor` of the previous page); the newest lines without it. */
  before?: string | null | undefined;
  /** Only lines of these levels; every level when absent or empty. */
  levels?: readonly RunLogLevel[] | undefined;
  /** Only lines about these nodes (a stage's nodes); every line when absent or empty. */
  nodeIds?: readonly string[] | undefined;
  limit: number;
}

export interface RunLogPage {
  /** Oldest first, so a page prepends to what the reader already has. */
  lines: RunLogLine[];
  /** Pass as `before` for the page of older lines; null when there are none. */
  olderCursor: string | null;
}

const logEventSelect = { id: true, payload: true, createdAt: true } satisfies PrismaNamespace.RunEventSelect;

const anyOf = (key: 'level' | 'nodeId', values: readonly string[] | undefined): PrismaNamespace.RunEventWhereInput[] =>
  values && values.length > 0 ? [{ OR: values.map((value) => ({ payload: { path: [key], equals: value } })) }] : [];

export async function listRunLogs(db: Prisma, input: RunLogPageInput): Promise<RunLogPage> {
  const rows = await db.runEvent.findMany({
    where: {
      runId: input.runId,
      type: 'log',
      ...(input.before ? { id: { lt: BigInt(input.before) } } : {}),
      AND: [...anyOf('level', input.levels), ...anyOf('nodeId', input.nodeIds)],
    },
    orderBy: { id: 'desc' },
    take: input.limit + 1,
    select: logEventSelect,
  });
  // Newest first from the database; the page is handed over oldest first.
  const page = rows.slice(0, input.limit).reverse();
  const lines: RunLogLine[] = [];
  for (const row of page) {
    const payload = RunEventPayloadSchema.safeParse(row.payload);
    // A log event is written by recordRunEvent only; one that does not parse is skipped, not fatal to the page.
    if (!payload.success || payload.data.type !== 'log') continue;
    lines.push({ id: String(row.id), at: row.createdAt, level: payload.data.level, message: payload.data.message, nodeId: payload.data.nodeId ?? null });
  }
  return { lines, olderCursor: rows.length > input.limit ? String(page[0]?.id ?? '') : null };
}
