import { auth } from '@/server/auth/auth';

export const dynamic = 'force-dynamic';

async function handle(request: Request): Promise<Response> {
  return (await auth()).handler(request);
}

export { handle as GET, handle as POST };
