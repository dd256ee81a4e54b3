import type { Pool, PoolClient, QueryConfig } from 'pg';
import { assertIdentifier, Database, DatabaseKind, DatabaseSession, FunctionArgs } from './database.js';
import { DatabaseError } from './database-error.js';

/** Builds `select public.fn(p_a => $1, ...)` once per function and argument set. */
const statementCache = new Map<string, string>();

export function functionCallSql(fn: string, argNames: string[]): string {
  const key = `${fn}(${argNames.join(',')})`;
  let sql = statementCache.get(key);
  if (!sql) {
    assertIdentifier(fn);
    argNames.forEach(assertIdentifier);
    const params = argNames.map((name, i) => `${name} => $${i + 1}`).join(', ');
    sql = `select public.${fn}(${params}) as result`;
    statementCache.set(key, sql);
  }
  return sql;
}

function toParam(value: unknown): unknown {
  // node-postgres turns arrays into Postgres arrays; jsonb parameters take objects, which it stringifies.
  return value === undefined ? null : value;
}

/**
 * How long one call may wait for its answer (DESIGN §9: the caller's apology within 3 s, `/api`'s 503 within 5 s,
 * even with two calls in a row). A hung server (a partition, SIGSTOP) never answers, so the server's own
 * `statement_timeout` cannot help; this client-side deadline does. The client that timed out is discarded.
 */
export const CALL_TIMEOUT_MS = 2_000;

/** node-postgres honours `query_timeout` per query; its type declarations only know it on the client config. */
function bounded(text: string, values?: unknown[]): QueryConfig {
  return { text, values, query_timeout: CALL_TIMEOUT_MS } as QueryConfig;
}

async function callOn<T>(runner: Pool | PoolClient, fn: string, args: FunctionArgs): Promise<T> {
  const names = Object.keys(args);
  const sql = functionCallSql(fn, names);
  try {
    const result = await runner.query<{ result: T }>(bounded(sql, names.map((n) => toParam(args[n]))));
    return (result.rows[0]?.result ?? null) as T;
  } catch (error) {
    throw DatabaseError.fromPostgres(error);
  }
}

function isConnectionFailure(error: unknown): boolean {
  return error !== undefined && DatabaseError.fromPostgres(error).kind === 'unavailable';
}

/** The `pg` transport: PostgreSQL over TCP, or the embedded PGlite behind the same `pg.Pool`. */
export class PgDatabase extends Database {
  constructor(
    readonly pool: Pool,
    readonly kind: DatabaseKind,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {
    super();
  }

  call<T>(fn: string, args: FunctionArgs = {}): Promise<T> {
    return callOn<T>(this.pool, fn, args);
  }

  async transaction<T>(work: (session: DatabaseSession) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw DatabaseError.fromPostgres(error);
    }
    let failure: unknown;
    try {
      await client.query(bounded('begin'));
      // Calls inside go to this client: on the one-connection embedded pool, the pool itself would deadlock.
      const result = await work({ call: <R>(fn: string, args: FunctionArgs = {}) => callOn<R>(client, fn, args) });
      await client.query(bounded('commit'));
      return result;
    } catch (error) {
      failure = error;
      await client.query(bounded('rollback')).catch(() => undefined);
      throw DatabaseError.fromPostgres(error);
    } finally {
      // A client that failed on the connection (a timeout, a crash) is discarded rather than reused.
      client.release(isConnectionFailure(failure) ? (failure as Error) : undefined);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query(bounded('select 1'));
    } catch (error) {
      throw DatabaseError.fromPostgres(error);
    }
  }

  private closing?: Promise<void>;

  /** Idempotent: a test may close the database under the app to see how the app copes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.pool.end();
      await this.onClose();
    })();
    return this.closing;
  }
}
