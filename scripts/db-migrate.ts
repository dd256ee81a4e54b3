// Applies sql/ migrations to DATABASE_URL (or the embedded database in DATA_DIR): npm run db:migrate
import { openEmbeddedDatabase, openPostgresDatabase } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migration-runner.js';
import { loadDotEnv } from '../src/config/dot-env.js';
import { loadConfig } from '../src/config/load-config.js';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  if (!config.database.url && config.database.supabaseServiceRoleKey) {
    throw new Error('The Supabase rpc transport cannot run DDL: apply sql/*.sql with the Supabase CLI or SQL editor, or set DATABASE_URL');
  }
  const db = config.database.url ? openPostgresDatabase(config.database.url, 1) : await openEmbeddedDatabase(config.database.dataDir);
  try {
    const applied = await runMigrations(db.pool);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date\n');
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
