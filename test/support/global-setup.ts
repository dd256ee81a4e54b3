import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DataDirLock } from '../../src/database/data-dir-lock.js';
import { EmbeddedServer } from '../../src/database/embedded-server.js';
import { runMigrations } from '../../src/database/migration-runner.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PostgreSQL database for this run (server mode). */
    testDatabaseUrl?: string;
    /** The run's embedded server, as a URL of its `postgres` database (embedded mode). */
    embeddedServerUrl?: string;
  }
}

/** The migrated database that each test file's database is cloned from (embedded mode). */
export const TEMPLATE_DATABASE = 'api_test_template';

/**
 * Migrates once per run. With DATABASE_URL the suite runs on that PostgreSQL server in a fresh database of its
 * own (dropped afterwards); otherwise one embedded server runs for the whole run (in a temporary folder, on a
 * free port) and every test file clones its own database from a migrated template.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `api_test_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    await runMigrations(pool);
    await pool.end();
    project.provide('testDatabaseUrl', url.toString());
    return async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  }

  const dir = mkdtempSync(join(tmpdir(), 'api-test-'));
  const lock = DataDirLock.acquire(dir);
  // throwaway data: no fsync (the API's own folder is durable)
  const server = await EmbeddedServer.start(dir, { durable: false });
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: server.url(TEMPLATE_DATABASE), max: 1 });
  await runMigrations(pool);
  await pool.end();
  project.provide('embeddedServerUrl', server.url());
  return async () => {
    await server.stop();
    lock.release();
    rmSync(dir, { recursive: true, force: true });
  };
}
