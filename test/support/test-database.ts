import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresDatabase } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migration-runner.js';
import { PgDatabase } from '../../src/database/pg-database.js';
import { TEMPLATE_DATABASE } from './global-setup.js';

async function onAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new database dropped when closed: cloned from the run's migrated template (embedded), or created and migrated. */
async function openOwnDatabase(serverUrl: string, template: string | undefined, max: number, migrate = true): Promise<PgDatabase> {
  const name = `api_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await onAdmin(serverUrl, (c) => c.query(`create database ${name}${template ? ` template ${template}` : ''}`));
  if (!template && migrate) {
    const pool = new pg.Pool({ connectionString: databaseUrl(serverUrl, name), max: 1 });
    await runMigrations(pool).finally(() => pool.end());
  }
  return openPostgresDatabase(databaseUrl(serverUrl, name), max, template ? 'embedded' : 'postgres', async () => {
    await onAdmin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  });
}

/**
 * A migrated database: on the embedded default a private one, cloned from the run's template (so tests of one file
 * see only their own rows); in server mode the run's database, shared by the files, so tests use fresh ids.
 */
export async function openTestDatabase(max = 4): Promise<PgDatabase> {
  const url = inject('testDatabaseUrl');
  if (url) return openPostgresDatabase(url, max);
  return openOwnDatabase(inject('embeddedServerUrl')!, TEMPLATE_DATABASE, max);
}

/**
 * A database of the test's own in both modes, for work that claims every due row (schedulers, monitors) and must
 * not meet other files' rows. Dropped when closed.
 */
export async function openIsolatedTestDatabase(max = 6): Promise<PgDatabase> {
  const url = inject('testDatabaseUrl');
  if (!url) return openOwnDatabase(inject('embeddedServerUrl')!, TEMPLATE_DATABASE, max);
  const server = new URL(url);
  server.pathname = '/postgres';
  return openOwnDatabase(server.toString(), undefined, max);
}

export const onServer = (): boolean => Boolean(inject('testDatabaseUrl'));

/** An empty database (no migrations applied) on the run's server, for tests of the migrations themselves. Dropped when closed. */
export async function openEmptyTestDatabase(max = 2): Promise<PgDatabase> {
  const url = inject('testDatabaseUrl');
  if (!url) return openOwnDatabase(inject('embeddedServerUrl')!, undefined, max, false);
  const server = new URL(url);
  server.pathname = '/postgres';
  return openOwnDatabase(server.toString(), undefined, max, false);
}
