// Publishing a finished output folder: the new folder takes the old one's name
// only once it is complete, so a failed run never leaves a half-written folder
// and readers see either the old partitions or the new ones.
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Moves the complete folder `temporary` to `final`, replacing what was there.
 * Two renames (old aside, new in): between them `final` is briefly absent,
 * never partial. If the second rename fails the old output is put back.
 */
export async function publishOutput(temporary: string, final: string): Promise<void> {
  const previous = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString('hex')}.old`);
  let movedAside = false;
  try {
    await rename(final, previous);
    movedAside = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(temporary, final);
  } catch (error) {
    if (movedAside) await rename(previous, final);
    throw error;
  }
  if (movedAside) await rm(previous, { recursive: true, force: true });
}
