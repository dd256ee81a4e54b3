import type { Pool, PoolClient } from 'pg';
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

async function callOn<T>(runner: Pool | PoolClient, fn: string, args: FunctionArgs): Promise<T> {
  const names = Object.keys(args);
  const sql = functionCallSql(fn, names);
  try {
    const result = await runner.query<{ result: T }>(sql, names.map((n) => toParam(args[n])));
    return (result.rows[0]?.result ?? null) as T;
  } catch (error) {
    throw DatabaseError.fromPostgres(error);
  }
}

/** The `pg` transport: PostgreSQL over TCP, the embedded server's or another's. */
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
    try {
      await client.query('begin');
      const result = await work({ call: <R>(fn: string, args: FunctionArgs = {}) => callOn<R>(client, fn, args) });
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('select 1');
    } catch (error) {
      throw DatabaseError.fromPostgres(error);
    }
  }

  private closing?: Promise<void>;

  /** Idempotent: a test may close the database under the app to see how the app copes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.pool.end();
      } finally {
        // a pool whose server died still releases what it holds (the embedded server's folder lock)
        await this.onClose();
      }
    })();
    return this.closing;
  }
}
