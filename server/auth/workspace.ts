import type { Prisma } from '../db/database';

/** The workspace a user works in: their oldest membership. */
export async function primaryWorkspace(db: Prisma, userId: string): Promise<{ id: string; name: string } | null> {
  const membership = await db.membership.findFirst({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { workspace: { select: { id: true, name: true } } },
  });
  return membership?.workspace ?? null;
}
