// For server components: the signed-in user of the current request, if any.
import { headers } from 'next/headers';
import { sessionUserFromHeaders, type SessionUser } from './auth';

export async function getServerSession(): Promise<{ user: SessionUser } | null> {
  const user = await sessionUserFromHeaders(await headers());
  return user ? { user } : null;
}
