// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the
// embedded PGlite in SLUICE_DATA_DIR. The app also does this at start-up.
import { databaseTargetFromEnv } from '../server/db/database';
import { openDatabase } from '../server/db/open';

const target = databaseTargetFromEnv();
const db = await openDatabase(target);
try {
  const { applied } = await db.migrate();
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : `The ${target.kind} database is up to date.`);
} finally {
  await db.close();
}
