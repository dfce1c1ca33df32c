import { z } from 'zod';
import { sessionUserFromHeaders } from '@/server/auth/auth';
import { primaryWorkspace } from '@/server/auth/workspace';
import { prisma } from '@/server/db/database';
import { deadLetterCsv, findWorkspaceRun, nodeLabels } from '@/server/runs/dead-letters';

export const dynamic = 'force-dynamic';

/** GET /api/runs/<runId>/dead-letters: the run's rejected rows as CSV, streamed page by page. */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }): Promise<Response> {
  const user = await sessionUserFromHeaders(request.headers);
  if (!user) return Response.json({ error: 'Sign in first' }, { status: 401 });
  const db = await prisma();
  const workspace = await primaryWorkspace(db, user.id);
  if (!workspace) return Response.json({ error: 'You are not a member of any workspace' }, { status: 403 });
  const runId = z.uuid().safeParse((await params).runId);
  // Another workspace's run is "not found", exactly like one that does not exist.
  const run = runId.success ? await findWorkspaceRun(db, runId.data, workspace.id) : null;
  if (!run) return Response.json({ error: 'Run not found' }, { status: 404 });

  const lines = deadLetterCsv(db, run.id, nodeLabels(run.version.document));
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="run-${run.id}-rejected-rows.csv"`,
      'cache-control': 'no-store',
    },
  });
}
