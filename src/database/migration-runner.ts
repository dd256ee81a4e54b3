import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { projectRoot } from '../common/project-root.js';

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Any fixed number: instances starting together take turns instead of racing on DDL. */
const MIGRATION_LOCK_KEY = 7_406_311_202;

export function readMigrations(dir = join(projectRoot(), 'sql')): Migration[] {
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => {
      const [, version, name] = MIGRATION_FILE.exec(file)!;
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies `sql/NNNN_name.sql` in order, each in its own transaction, recording what ran in
 * `schema_migrations`; running it again applies only what is new. A migration edited after it
 * was applied is reported, never re-run.
 */
export async function runMigrations(pool: Pool, migrations = readMigrations()): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // Migrations (and waiting for another instance's) may take longer than the pool's statement_timeout allows.
    await client.query('set statement_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`create table if not exists public.schema_migrations (
      version text primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`);
    await client.query('alter table public.schema_migrations enable row level security');
    await client.query('revoke all on table public.schema_migrations from public');
    const { rows } = await client.query<{ version: string; checksum: string }>('select version, checksum from public.schema_migrations');
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const migration of migrations) {
      const previous = done.get(migration.version);
      if (previous !== undefined) {
        if (previous !== migration.checksum) {
          throw new Error(`Migration ${migration.version}_${migration.name}.sql changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      try {
        await client.query('begin');
        await client.query(migration.sql);
        await client.query('insert into public.schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('commit');
        applied.push(`${migration.version}_${migration.name}`);
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw new Error(`Migration ${migration.version}_${migration.name}.sql failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return applied;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.query('reset statement_timeout').catch(() => undefined);
    client.release();
  }
}
