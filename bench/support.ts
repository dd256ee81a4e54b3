import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openEmbeddedDatabase, openPostgresDatabase } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migration-runner.js';
import { PgDatabase } from '../src/database/pg-database.js';

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export interface BenchDatabase {
  label: 'embedded' | 'postgres';
  db: PgDatabase;
  /** Where a process of its own reaches the same database (the embedded server's socket file, or the server). */
  url: string;
  dispose(): Promise<void>;
}

/** The server to measure against: BENCH_DATABASE_URL, DATABASE_URL, or this machine's default when it answers. */
async function serverUrl(): Promise<string | undefined> {
  const candidate = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: candidate, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return candidate;
  } catch {
    return undefined;
  }
}

/** A freshly migrated embedded database, and a fresh database on the server when one is reachable. */
export async function benchDatabases(): Promise<BenchDatabase[]> {
  const out: BenchDatabase[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'api-bench-'));
  const embedded = await openEmbeddedDatabase(dataDir);
  await runMigrations(embedded.pool);
  out.push({
    label: 'embedded',
    db: embedded,
    url: embedded.pool.options.connectionString ?? '',
    dispose: async () => {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
  const url = await serverUrl();
  if (url) {
    const name = `api_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const target = new URL(url);
    target.pathname = `/${name}`;
    const db = openPostgresDatabase(target.toString(), 16);
    await runMigrations(db.pool);
    out.push({
      label: 'postgres',
      db,
      url: target.toString(),
      dispose: async () => {
        await db.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    });
  } else {
    process.stdout.write('  (no PostgreSQL server reachable: set BENCH_DATABASE_URL to measure the server too)\n');
  }
  return out;
}
