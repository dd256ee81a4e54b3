import { resolve } from 'node:path';
import pg from 'pg';
import { DataDirLock } from './data-dir-lock.js';
import { EmbeddedServer, EmbeddedServerOptions } from './embedded-server.js';
import { PgDatabase } from './pg-database.js';

/**
 * Starts the embedded PostgreSQL server in `dataDir` (locked: one API per folder) and connects to it; closing the
 * database stops the server.
 */
export async function openEmbeddedDatabase(dataDir: string, options: EmbeddedServerOptions = {}): Promise<PgDatabase> {
  const root = resolve(dataDir);
  const lock = DataDirLock.acquire(root);
  let server: EmbeddedServer | undefined;
  try {
    server = await EmbeddedServer.start(root, options);
    const running = server;
    return openPostgresDatabase(server.localUrl(), 10, 'embedded', async () => {
      await running.stop();
      lock.release();
    });
  } catch (error) {
    await server?.stop();
    lock.release();
    throw error;
  }
}

export function openPostgresDatabase(url: string, max = 10, kind: 'postgres' | 'embedded' = 'postgres', onClose?: () => Promise<void>): PgDatabase {
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
  return new PgDatabase(pool, kind, onClose);
}
