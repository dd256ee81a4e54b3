// Shared by the chaos scenarios: a fresh database on the PostgreSQL server, apps on it, a seeded random generator.
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import pg from 'pg';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { openPostgresDatabase } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migration-runner.js';
import type { PgDatabase } from '../../src/database/pg-database.js';

/** The server the scenarios make their databases on (trust auth on this machine's loopback by default). */
export function chaosServerUrl(): string {
  return process.env.CHAOS_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** A migrated database of the scenario's own on the server; `drop` removes it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = chaosServerUrl();
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  await runMigrations(pool);
  await pool.end();
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: server });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export interface ChaosApp {
  app: NestExpressApplication;
  db: PgDatabase;
  url: string;
  close(): Promise<void>;
}

/** One API instance (a Nest app with its own connection pool) on the database, listening on a loopback port. */
export async function startInstance(
  config: AppConfig,
  databaseUrl: string,
  override?: (b: TestingModuleBuilder) => TestingModuleBuilder,
  poolSize = 4,
): Promise<ChaosApp> {
  const db = openPostgresDatabase(databaseUrl, poolSize);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, db)] });
  if (override) builder = override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, rawBody: true });
  configureApp(app as INestApplication as NestExpressApplication);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    db,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/** A seeded generator, so that a failing run can be replayed (CHAOS_SEED). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function chaosSeed(): number {
  return Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** p50 and max of a list of milliseconds. */
export function spread(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${Math.round(sorted[Math.floor(sorted.length / 2)])} ms, max ${Math.round(sorted.at(-1)!)} ms`;
}
