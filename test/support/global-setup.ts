import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../src/database/migration-runner.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PostgreSQL database for this run (server mode). */
    testDatabaseUrl?: string;
    /** A migrated embedded data folder, dumped once and loaded by every test file (embedded mode). */
    embeddedSnapshotPath?: string;
  }
}

/**
 * Migrates once per run. With DATABASE_URL the suite runs on that PostgreSQL server in a fresh database of
 * its own (dropped afterwards); otherwise every test file starts an embedded database from one migrated snapshot.
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

  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const lite = await PGlite.create();
  const pool = new pg.Pool(createPgConfig(lite));
  await runMigrations(pool);
  await pool.end();
  const dir = mkdtempSync(join(tmpdir(), 'api-test-'));
  const path = join(dir, 'migrated.tar');
  writeFileSync(path, Buffer.from(await (await lite.dumpDataDir('none')).arrayBuffer()));
  await lite.close();
  project.provide('embeddedSnapshotPath', path);
  return async () => rmSync(dir, { recursive: true, force: true });
}
