import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { projectRoot } from '../common/project-root.js';
import { Database } from './database.js';
import { openEmbeddedDatabase, openPostgresDatabase } from './embedded-postgres.js';
import { runMigrations } from './migration-runner.js';
import { PgDatabase } from './pg-database.js';
import { SupabaseRpcDatabase } from './supabase-rpc-database.js';

const logger = new Logger('Database');

/** Chooses the transport from the configuration, migrates SQL databases and seeds an empty embedded one. */
export async function openDatabase(config: AppConfig): Promise<Database> {
  const { url, dataDir, supabaseUrl, supabaseServiceRoleKey } = config.database;
  if (url) {
    const db = openPostgresDatabase(url);
    await prepare(db, config);
    logger.log({ event: 'database_ready', transport: 'postgres' }, 'Using PostgreSQL from DATABASE_URL');
    return db;
  }
  if (supabaseUrl && supabaseServiceRoleKey) {
    logger.log({ event: 'database_ready', transport: 'supabase' }, 'Using Supabase rpc (apply sql/ with the Supabase CLI or SQL editor)');
    return new SupabaseRpcDatabase(supabaseUrl, supabaseServiceRoleKey);
  }
  const db = await openEmbeddedDatabase(dataDir);
  try {
    await prepare(db, config);
  } catch (error) {
    await db.close();
    throw error;
  }
  logger.log({ event: 'database_ready', transport: 'embedded', data_dir: dataDir }, `Using the embedded database in ${dataDir}`);
  return db;
}

export async function prepare(db: PgDatabase, config: Pick<AppConfig, 'demoSeed'>): Promise<void> {
  const applied = await runMigrations(db.pool);
  if (applied.length > 0) logger.log({ event: 'migrations_applied', migrations: applied }, `Applied ${applied.length} migration(s)`);
  if (config.demoSeed) await seedDemoIfEmpty(db);
}

export async function seedDemoIfEmpty(db: PgDatabase): Promise<boolean> {
  const { rows } = await db.pool.query<{ empty: boolean }>('select not exists (select 1 from public.companies) as empty');
  if (!rows[0].empty) return false;
  await db.pool.query(readFileSync(join(projectRoot(), 'sql', 'seed', 'demo.sql'), 'utf8'));
  logger.log({ event: 'demo_seeded' }, 'Demo company seeded on the empty database: Demo Clínica Dental, +525512345678');
  return true;
}
