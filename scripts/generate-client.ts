// Writes client/src/schema.d.ts from docs/openapi.json: npm run client [-- --check]
import { readFileSync, writeFileSync } from 'node:fs';
import { CLIENT_SCHEMA_PATH, OPENAPI_PATH, renderClientSchema } from './client-schema.js';

async function main(): Promise<void> {
  const rendered = await renderClientSchema(readFileSync(OPENAPI_PATH, 'utf8'));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CLIENT_SCHEMA_PATH, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== rendered) {
      process.stderr.write('client/src/schema.d.ts is stale: run npm run client and commit it\n');
      process.exit(1);
    }
    process.stdout.write('client/src/schema.d.ts is up to date\n');
    return;
  }
  writeFileSync(CLIENT_SCHEMA_PATH, rendered);
  process.stdout.write(`Wrote ${CLIENT_SCHEMA_PATH}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
