// Writes src/database/sql-functions.generated.ts from the catalog of a freshly migrated database: npm run db:types [-- --check]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';
import { openEmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { readFunctionCatalog, renderFunctionDescriptors } from '../src/database/function-catalog.js';
import { runMigrations } from '../src/database/migration-runner.js';

export const DESCRIPTORS_PATH = join('src', 'database', 'sql-functions.generated.ts');

async function main(): Promise<void> {
  // A throwaway embedded database, so the descriptors depend on sql/ alone, never on a developer's data folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'api-db-types-'));
  let text: string;
  try {
    const db = await openEmbeddedDatabase(dataDir, { durable: false });
    try {
      await runMigrations(db.pool);
      text = renderFunctionDescriptors(await readFunctionCatalog(db.pool));
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const path = join(projectRoot(), DESCRIPTORS_PATH);
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== text) throw new Error(`${DESCRIPTORS_PATH} is stale: run npm run db:types`);
    process.stdout.write(`${DESCRIPTORS_PATH} is up to date\n`);
    return;
  }
  writeFileSync(path, text);
  process.stdout.write(`Wrote ${DESCRIPTORS_PATH}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
