import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { projectRoot } from '../src/common/project-root.js';
import { openPostgresDatabase } from '../src/database/embedded-postgres.js';
import { readFunctionCatalog, renderFunctionDescriptors } from '../src/database/function-catalog.js';
import { PgDatabase } from '../src/database/pg-database.js';

/** The Supabase CLI's migration file pattern (`supabase/migrations/<version>_<name>.sql`, applied in version order). */
const SUPABASE_MIGRATION = /^([0-9]+)_(.*)\.sql$/;

/** A fresh, empty database on the run's server. */
async function freshDatabase(): Promise<{ db: PgDatabase; drop: () => Promise<void> }> {
  // a new database on the run's server: the PostgreSQL server's, or the embedded one's
  const url = inject('testDatabaseUrl') ?? inject('embeddedServerUrl')!;
  const name = `supabase_order_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = openPostgresDatabase(target.toString(), 1);
  return {
    db,
    drop: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

describe("sql/ as a Supabase project's migrations (supabase/migrations + supabase db push)", () => {
  it('names every file as the Supabase CLI expects, and the files apply in its order on a fresh database', async () => {
    const dir = join(projectRoot(), 'sql');
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    expect(files.filter((f) => !SUPABASE_MIGRATION.test(f))).toEqual([]);
    // The CLI orders by version; versions must be unique.
    const versions = files.map((f) => SUPABASE_MIGRATION.exec(f)![1]);
    expect(new Set(versions).size).toBe(versions.length);
    const ordered = [...files].sort((a, b) => Number(SUPABASE_MIGRATION.exec(a)![1]) - Number(SUPABASE_MIGRATION.exec(b)![1]));

    const { db, drop } = await freshDatabase();
    try {
      // A Supabase project already has its auth schema and auth.uid(): the migrations must leave them alone.
      await db.pool.query(`create schema auth; create function auth.uid() returns uuid language sql stable as $$ select null::uuid $$;
                           comment on function auth.uid() is 'supabase'`);
      for (const file of ordered) {
        // db push runs each file as a whole, with no runner of ours around it.
        await db.pool.query(readFileSync(join(dir, file), 'utf8')).catch((error: unknown) => {
          throw new Error(`${file}: ${(error as Error).message}`);
        });
      }
      const { rows } = await db.pool.query(`select obj_description('auth.uid()'::regprocedure) as comment`);
      expect(rows).toEqual([{ comment: 'supabase' }]);
      // The same functions as the runner's migrations give.
      const committed = readFileSync(join(projectRoot(), 'src', 'database', 'sql-functions.generated.ts'), 'utf8');
      expect(renderFunctionDescriptors(await readFunctionCatalog(db.pool))).toBe(committed);
    } finally {
      await drop();
    }
  }, 120_000);
});
