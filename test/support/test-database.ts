import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { openEmbeddedDatabase, openPostgresDatabase } from '../../src/database/embedded-postgres.js';
import { PgDatabase } from '../../src/database/pg-database.js';

/**
 * A migrated database for one test file: the run's PostgreSQL database in server mode (shared by the
 * files, so tests use fresh ids), or a private embedded one.
 */
export async function openTestDatabase(): Promise<PgDatabase> {
  const url = inject('testDatabaseUrl');
  if (url) return openPostgresDatabase(url, 4);
  const snapshot = readFileSync(inject('embeddedSnapshotPath')!);
  return openEmbeddedDatabase(undefined, new Blob([snapshot]));
}

export const onServer = (): boolean => Boolean(inject('testDatabaseUrl'));
