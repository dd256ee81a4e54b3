import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { AppConfig } from '../../src/config/app-config.js';
import { PgDatabase } from '../../src/database/pg-database.js';
import { testConfig } from './test-config.js';
import { openTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  db: PgDatabase;
  config: AppConfig;
  /** The HTTP server, for supertest. */
  server: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  config?: AppConfig;
  db?: PgDatabase;
  /** Replace providers before compiling (fakes of vendors, clocks). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Listen on a port (WebSocket tests); otherwise only initialised. */
  listen?: boolean;
  /** Extra controllers mounted beside the real ones (probes for cross-cutting guards). */
  controllers?: Array<new (...args: never[]) => unknown>;
}

/** The real application (global guard, pipe, filters) on a test database. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = options.config ?? testConfig();
  const db = options.db ?? (await openTestDatabase());
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, db)], controllers: options.controllers ?? [] });
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, rawBody: true });
  configureApp(app);
  if (options.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  return {
    app,
    db,
    config,
    server: app.getHttpServer(),
    close: async () => {
      await app.close();
      // a database handed in belongs to the caller
      if (!options.db) await db.close();
    },
  };
}
