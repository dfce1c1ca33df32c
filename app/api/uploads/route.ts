import { sessionUserFromHeaders } from '@/server/auth/auth';
import { primaryWorkspace } from '@/server/auth/workspace';
import { prisma } from '@/server/db/database';
import { env } from '@/server/env';
import { handleUpload } from '@/server/runtime/uploads';

export const dynamic = 'force-dynamic';

/** POST /api/uploads?filename=orders.csv[&format=csv|json|parquet|excel] with the raw file as the body, streamed to disk. */
export async function POST(request: Request): Promise<Response> {
  const user = await sessionUserFromHeaders(request.headers);
  if (!user) return Response.json({ error: 'Sign in first' }, { status: 401 });
  const db = await prisma();
  const workspace = await primaryWorkspace(db, user.id);
  if (!workspace) return Response.json({ error: 'You are not a member of any workspace' }, { status: 403 });
  const { dataDir, SLUICE_UPLOAD_MAX_BYTES } = env();
  return handleUpload(request, { dataDir, workspaceId: workspace.id, maxBytes: SLUICE_UPLOAD_MAX_BYTES });
}
