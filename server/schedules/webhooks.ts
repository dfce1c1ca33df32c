// Webhooks: POST /api/hooks/<pipelineId> with `Authorization: Bearer <token>`
// starts a run. Each pipeline has at most one token; only its sha256 is
// stored, the token itself is shown once, when created or rotated. A rotated
// token replaces the old one at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Prisma } from '../db/database';
import { AppError, isAppError } from '../errors';
import { ParameterInputSchema } from '../pipeline/parameters';
import type { RunJobData } from '../runs/queue';
import { startRun } from '../runs/service';

const TOKEN_PREFIX = 'slk_';
/** Largest request body accepted, in bytes. */
export const MAX_WEBHOOK_BODY = 64 * 1024;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Creates the pipeline's token, or replaces it (rotation); returns the token, which is not stored. */
export async function issueWebhookToken(db: Prisma, workspaceId: string, pipelineId: string): Promise<{ token: string; tokenPrefix: string }> {
  const pipeline = await db.pipeline.findFirst({ where: { id: pipelineId, workspaceId }, select: { id: true } });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const tokenPrefix = token.slice(0, TOKEN_PREFIX.length + 6);
  const now = new Date();
  await db.pipelineWebhook.upsert({
    where: { pipelineId },
    create: { pipelineId, tokenHash: sha256(token), tokenPrefix, createdAt: now, rotatedAt: now },
    update: { tokenHash: sha256(token), tokenPrefix, rotatedAt: now },
  });
  return { token, tokenPrefix };
}

export async function revokeWebhookToken(db: Prisma, workspaceId: string, pipelineId: string): Promise<void> {
  const pipeline = await db.pipeline.findFirst({ where: { id: pipelineId, workspaceId }, select: { id: true } });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  await db.pipelineWebhook.deleteMany({ where: { pipelineId } });
}

const WebhookBody = z.object({ parameters: ParameterInputSchema.optional() }).strict();

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const answer = (status: number, code: string, message: string, headers?: Record<string, string>): WebhookResponse => ({ status, body: { error: { code, message } }, ...(headers ? { headers } : {}) });

/** The whole webhook request, without HTTP: status and JSON body to send. */
export async function handleWebhook(db: Prisma, queue: Queue<RunJobData>, request: { pipelineId: string; authorization: string | null; body: string }, maxQueued?: number): Promise<WebhookResponse> {
  if (!z.uuid().safeParse(request.pipelineId).success) return answer(404, 'NOT_FOUND', 'No webhook for this pipeline');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? '');
  if (!bearer?.[1]) return answer(401, 'UNAUTHENTICATED', 'Send the pipeline\'s webhook token as "Authorization: Bearer <token>"', { 'WWW-Authenticate': 'Bearer' });
  const hook = await db.pipelineWebhook.findUnique({ where: { pipelineId: request.pipelineId }, select: { tokenHash: true, pipeline: { select: { workspaceId: true, createdById: true } } } });
  if (!hook) return answer(404, 'NOT_FOUND', 'No webhook for this pipeline');
  // Equal-length digests compared in constant time: the token's length and content leak nothing.
  if (!timingSafeEqual(Buffer.from(sha256(bearer[1]), 'hex'), Buffer.from(hook.tokenHash, 'hex'))) {
    return answer(401, 'UNAUTHENTICATED', 'The webhook token is wrong or was rotated', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  if (Buffer.byteLength(request.body) > MAX_WEBHOOK_BODY) return answer(413, 'BAD_INPUT', `The body is larger than ${MAX_WEBHOOK_BODY} bytes`);
  let json: unknown = {};
  if (request.body.trim() !== '') {
    try {
      json = JSON.parse(request.body);
    } catch {
      return answer(400, 'BAD_INPUT', 'The body is not JSON; send {"parameters": {"name": value}} or nothing');
    }
  }
  const body = WebhookBody.safeParse(json);
  if (!body.success) return answer(400, 'BAD_INPUT', `The body must look like {"parameters": {"name": value}}: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  try {
    const { runId } = await startRun(db, queue, { workspaceId: hook.pipeline.workspaceId, pipelineId: request.pipelineId, userId: hook.pipeline.createdById, parameters: body.data.parameters ?? {}, trigger: 'webhook' }, maxQueued);
    return { status: 202, body: { runId } };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status: Partial<Record<string, number>> = { BUSY: 429, BAD_INPUT: 400, PIPELINE_INVALID: 422, PIPELINE_NOT_SAVED: 409, NOT_FOUND: 404, REDIS_UNAVAILABLE: 503, DATABASE_UNAVAILABLE: 503 };
    return answer(status[error.code] ?? 500, error.code, error.message, error.code === 'BUSY' ? { 'Retry-After': '60' } : undefined);
  }
}
