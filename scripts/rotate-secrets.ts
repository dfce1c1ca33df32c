// `npm run secrets:rotate`: re-encrypts every stored connection's secrets with
// SLUICE_SECRET_KEY. Set the new key there and the old one in
// SLUICE_SECRET_KEY_PREVIOUS first; afterwards the old key can go. With the
// embedded PGlite database, stop Sluice first (only one process may open it).
import { loadKeyring } from '../server/connectors/secrets';
import { rotateConnectionSecrets } from '../server/connectors/store';
import { databaseTargetFromEnv } from '../server/db/database';
import { openDatabase } from '../server/db/open';
import { env } from '../server/env';

const { keyring } = loadKeyring(env());
const db = await openDatabase(databaseTargetFromEnv());
try {
  await db.migrate();
  const { rotated, current } = await rotateConnectionSecrets(db.prisma, keyring);
  console.log(`Re-encrypted ${rotated} connection(s) with the current key; ${current} already used it. SLUICE_SECRET_KEY_PREVIOUS can now be removed.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
