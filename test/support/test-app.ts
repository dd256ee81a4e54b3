import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { AppConfig } from '../../src/config/app-config.js';
import { Database } from '../../src/database/database.js';
import { PgDatabase } from '../../src/database/pg-database.js';
import { SupabaseRpcDatabase } from '../../src/database/supabase-rpc-database.js';
import { startPostgrestServer, type PostgrestServer } from './postgrest-server.js';
import { testConfig, TEST_JWT_SECRET } from './test-config.js';
import { openTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  /** The test's own SQL connection to the app's database, to arrange and check rows whatever the app's transport. */
  db: PgDatabase;
  /** The port the app runs on: `db` itself, or the supabase-js rpc transport over `postgrest`. */
  appDb: Database;
  /** The PostgREST stand-in the app talks to, when it runs on the rpc transport. */
  postgrest?: PostgrestServer;
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
  /**
   * The app's transport: `pg` (a SQL connection) or `rpc` (supabase-js through a PostgREST stand-in over the same
   * database). Defaults to TEST_DATABASE_TRANSPORT, so that CI runs the suite on the rpc transport as a third pass.
   */
  transport?: 'pg' | 'rpc';
}

export const rpcTransportByDefault = (): boolean => process.env.TEST_DATABASE_TRANSPORT === 'rpc';

/** The real application (global guard, pipe, filters) on a test database. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = options.config ?? testConfig();
  const db = options.db ?? (await openTestDatabase());
  const rpc = (options.transport ?? (rpcTransportByDefault() ? 'rpc' : 'pg')) === 'rpc';
  const postgrest = rpc ? await startPostgrestServer(db.pool, TEST_JWT_SECRET) : undefined;
  const appDb: Database = postgrest ? new SupabaseRpcDatabase(postgrest.url, postgrest.serviceRoleKey) : db;
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, appDb)], controllers: options.controllers ?? [] });
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, rawBody: true });
  configureApp(app);
  if (options.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  return {
    app,
    db,
    appDb,
    postgrest,
    config,
    server: app.getHttpServer(),
    close: async () => {
      await app.close();
      if (postgrest) {
        await appDb.close();
        await postgrest.close();
      }
      // a database handed in belongs to the caller
      if (!options.db) await db.close();
    },
  };
}
