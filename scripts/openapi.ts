// Writes docs/openapi.json from the decorators without listening: npm run openapi [-- --check]
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module.js';
import { createOpenApiDocument } from '../src/app.setup.js';
import { projectRoot } from '../src/common/project-root.js';
import { Database } from '../src/database/database.js';
import { loadConfig } from '../src/config/load-config.js';

/** Keys sorted at every level, so the committed file changes only when the API does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The document needs the routes, not a database: a stand-in that refuses every call. */
class NoDatabase extends Database {
  readonly kind = 'embedded' as const;
  protected invoke<T>(): Promise<T> {
    return Promise.reject(new Error('no database while generating the OpenAPI document'));
  }
  transaction<T>(): Promise<T> {
    return this.invoke();
  }
  ping(): Promise<void> {
    return this.invoke();
  }
  async close(): Promise<void> {}
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const config = { ...loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' }), demoSeed: false };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, new NoDatabase()), { logger: false, abortOnError: false });
  const json = `${JSON.stringify(sortKeys(createOpenApiDocument(app)), null, 2)}\n`;
  await app.close();
  const path = join(projectRoot(), 'docs', 'openapi.json');
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== json) {
      process.stderr.write('docs/openapi.json is stale: run npm run openapi and commit it\n');
      process.exit(1);
    }
    process.stdout.write('docs/openapi.json is up to date\n');
    return;
  }
  writeFileSync(path, json);
  process.stdout.write(`Wrote ${path}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
