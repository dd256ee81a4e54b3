import type { Pool, PoolClient } from 'pg';
import { argumentsToSend, assertIdentifier, Database, DatabaseKind, DatabaseSession, describedCall, FunctionArgs } from './database.js';
import { DatabaseError } from './database-error.js';
import { SqlArgsParameter, SqlFunctionDescriptor, SqlFunctionName, SqlResult } from './sql-function-types.js';

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

/**
 * node-postgres sends a JS array as a Postgres array literal and an object as JSON: a jsonb parameter is
 * therefore always sent as its JSON text, whatever its value, so that arrays arrive as JSON arrays.
 */
export function toPgParam(type: string, value: unknown): unknown {
  if (value === null) return null;
  if (type === 'jsonb' || type === 'json') return JSON.stringify(value);
  return value;
}

async function callOn<T>(runner: Pool | PoolClient, fn: string, descriptor: SqlFunctionDescriptor, args: FunctionArgs): Promise<T> {
  const sent = argumentsToSend(descriptor, args);
  const sql = functionCallSql(fn, sent.map(([name]) => name));
  try {
    const result = await runner.query<{ result: T }>(sql, sent.map(([, type, value]) => toPgParam(type, value)));
    return (result.rows[0]?.result ?? null) as T;
  } catch (error) {
    throw DatabaseError.fromPostgres(error);
  }
}

/** A transaction's calls, on the one client that holds it. */
class PgSession implements DatabaseSession {
  constructor(private readonly client: PoolClient) {}

  call<F extends SqlFunctionName, R = SqlResult<F>>(fn: F, ...[args]: SqlArgsParameter<F>): Promise<R> {
    try {
      return callOn<R>(this.client, fn, describedCall(fn, args ?? {}), args ?? {});
    } catch (error) {
      return Promise.reject(error as Error);
    }
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

  protected invoke<R>(fn: string, descriptor: SqlFunctionDescriptor, args: FunctionArgs): Promise<R> {
    return callOn<R>(this.pool, fn, descriptor, args);
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
      const result = await work(new PgSession(client));
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
