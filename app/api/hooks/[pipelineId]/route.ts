import { prisma } from '@/server/db/database';
import { env } from '@/server/env';
import { services } from '@/server/runtime/services';
import { handleWebhook, MAX_WEBHOOK_BODY } from '@/server/schedules/webhooks';

export const dynamic = 'force-dynamic';

/**
 * POST /api/hooks/<pipelineId> with `Authorization: Bearer <token>` and an
 * optional JSON body {"parameters": {...}} starts a run: 202 {runId}, 401 for
 * a missing or wrong token, 404 when the pipeline has no webhook, 429 when
 * Sluice is busy.
 */
export async function POST(request: Request, { params }: { params: Promise<{ pipelineId: string }> }): Promise<Response> {
  const { pipelineId } = await params;
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_WEBHOOK_BODY) return Response.json({ error: { code: 'BAD_INPUT', message: `The body is larger than ${MAX_WEBHOOK_BODY} bytes` } }, { status: 413 });
  const result = await handleWebhook(await prisma(), services().queue, { pipelineId, authorization: request.headers.get('authorization'), body: await request.text() }, env().SLUICE_MAX_QUEUED_RUNS);
  return Response.json(result.body, { status: result.status, ...(result.headers ? { headers: result.headers } : {}) });
}
