import { join, resolve } from 'node:path';
import pg from 'pg';
import { DataDirLock } from './data-dir-lock.js';
import { PgDatabase } from './pg-database.js';

/**
 * Opens the embedded PostgreSQL (PGlite, in-process WASM) behind a `pg.Pool`, so the code above it is
 * the same as on a server. `dataDir` undefined means in memory; `snapshot` starts from a dumped data folder (tests).
 */
export async function openEmbeddedDatabase(dataDir?: string, snapshot?: Blob): Promise<PgDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig, PglitePgConnection } = await import('@electric-sql/pglite/node-postgres');
  const lock = dataDir ? DataDirLock.acquire(resolve(dataDir)) : undefined;
  try {
    const lite = await PGlite.create(dataDir ? join(resolve(dataDir), 'pglite') : 'memory://', snapshot ? { loadDataDir: snapshot } : {});
    // pg.Pool destroys a client whose query failed and makes a new one from the same config; the adapter's config
    // holds one connection object, dead after that, so every client gets a connection of its own.
    class EmbeddedClient extends pg.Client {
      constructor(options?: pg.ClientConfig) {
        super({ ...options, connection: new PglitePgConnection({ pglite: lite }) } as pg.ClientConfig);
      }
    }
    // One connection: a caller that holds it and asks for another fails fast instead of hanging.
    const pool = new pg.Pool({ ...createPgConfig(lite), Client: EmbeddedClient, connectionTimeoutMillis: 10_000 });
    return new PgDatabase(pool, 'embedded', async (): Promise<void> => {
      await lite.close();
      lock?.release();
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
}

export function openPostgresDatabase(url: string, max = 10): PgDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Bounded time on every path (DESIGN §9): a new connection to a hung server gives up within 2 s, a statement
    // that runs away or waits on a lock is cancelled by the server, and TCP keepalive notices a vanished peer.
    connectionTimeoutMillis: 2_000,
    statement_timeout: 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return new PgDatabase(pool, 'postgres');
}

