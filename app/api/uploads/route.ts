import { sessionUserFromHeaders } from '@/server/auth/auth';
import { primaryWorkspace } from '@/server/auth/workspace';
import { prisma } from '@/server/db/database';
import { env } from '@/server/env';
import { isAppError } from '@/server/errors';
import { storeUpload } from '@/server/runtime/uploads';

export const dynamic = 'force-dynamic';

/** POST /api/uploads?filename=orders.csv with the raw file as the body. */
export async function POST(request: Request): Promise<Response> {
  const user = await sessionUserFromHeaders(request.headers);
  if (!user) return Response.json({ error: 'Sign in first' }, { status: 401 });
  const db = await prisma();
  const workspace = await primaryWorkspace(db, user.id);
  if (!workspace) return Response.json({ error: 'You are not a member of any workspace' }, { status: 403 });
  const fileName = new URL(request.url).searchParams.get('filename');
  if (!fileName || !request.body) return Response.json({ error: 'Send the file as the body, with ?filename=' }, { status: 400 });
  try {
    const { dataDir, SLUICE_UPLOAD_MAX_BYTES } = env();
    const stored = await storeUpload({ dataDir, workspaceId: workspace.id, fileName, body: request.body, maxBytes: SLUICE_UPLOAD_MAX_BYTES });
    return Response.json(stored);
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: error.message, code: error.code }, { status: 400 });
    throw error;
  }
}
