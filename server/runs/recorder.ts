// Appends a run event to the durable log and publishes it live, in that order,
// so a browser that misses the live message still finds it on replay.
import type { Prisma } from '../db/database';
import type { RunEventBus, RunEventPayload } from './events';

export async function recordRunEvent(db: Prisma, bus: RunEventBus, runId: string, payload: RunEventPayload): Promise<void> {
  const row = await db.runEvent.create({ data: { runId, type: payload.type, payload }, select: { id: true, createdAt: true } });
  // A lost live message is recovered by replay; it must not fail the run.
  await bus.publish(runId, { id: String(row.id), at: row.createdAt.toISOString(), payload }).catch(() => undefined);
}
