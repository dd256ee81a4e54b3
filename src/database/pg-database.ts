import type { Pool, PoolClient, QueryConfig } from 'pg';
import { argumentsToSend, assertIdentifier, Database, DatabaseKind, DatabaseSession, describedCall, FunctionArgs } from './database.js';
import { DatabaseError } from './database-error.js';
import { SqlArgsParameter, SqlFunctionDescriptor, SqlFunctionName, SqlResult } from './sql-function-types.js';

/** `select public.fn(p_a => $1, ...)`, built once per function and argument set, with a short statement name. */
interface FunctionCallStatement {
  sql: string;
  /** PostgreSQL truncates statement names at 63 bytes; the SQL text would not fit. */
  name: string;
}

const statementCache = new Map<string, FunctionCallStatement>();

export function functionCallStatement(fn: string, argNames: string[]): FunctionCallStatement {
  const key = `${fn}(${argNames.join(',')})`;
  let statement = statementCache.get(key);
  if (!statement) {
    assertIdentifier(fn);
    argNames.forEach(assertIdentifier);
    const params = argNames.map((name, i) => `${name} => $${i + 1}`).join(', ');
    statement = { sql: `select public.${fn}(${params}) as result`, name: `call_${statementCache.size + 1}` };
    statementCache.set(key, statement);
  }
  return statement;
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

/**
 * Named statements are parsed and planned once per connection instead of on every call; only on the embedded
 * server, which is ours: a transaction-mode pooler in front of another server may hand the next call to a
 * connection that never saw the statement.
 */
async function callOn<T>(runner: Pool | PoolClient, fn: string, descriptor: SqlFunctionDescriptor, args: FunctionArgs, named: boolean): Promise<T> {
  const sent = argumentsToSend(descriptor, args);
  const statement = functionCallStatement(
    fn,
    sent.map(([name]) => name),
  );
  const query = bounded(
    statement.sql,
    sent.map(([, type, value]) => toPgParam(type, value)),
  );
  if (named) query.name = statement.name;
  try {
    const result = await runner.query<{ result: T }>(query);
    return (result.rows[0]?.result ?? null) as T;
  } catch (error) {
    throw DatabaseError.fromPostgres(error);
  }
}

/** A transaction's calls, on the one client that holds it. */
class PgSession implements DatabaseSession {
  constructor(
    private readonly client: PoolClient,
    private readonly named: boolean,
  ) {}

  call<F extends SqlFunctionName, R = SqlResult<F>>(fn: F, ...[args]: SqlArgsParameter<F>): Promise<R> {
    try {
      return callOn<R>(this.client, fn, describedCall(fn, args ?? {}), args ?? {}, this.named);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

function isConnectionFailure(error: unknown): boolean {
  return error !== undefined && DatabaseError.fromPostgres(error).kind === 'unavailable';
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
    return callOn<R>(this.pool, fn, descriptor, args, this.kind === 'embedded');
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
      const result = await work(new PgSession(client, this.kind === 'embedded'));
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
