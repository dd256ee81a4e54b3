import { createClient, SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { argumentsToSend, Database, DatabaseSession, FunctionArgs } from './database.js';
import { DatabaseError, kindOfCode, RAISED_CODES } from './database-error.js';
import { SqlFunctionDescriptor } from './sql-function-types.js';

type Fetch = typeof fetch;

/** Every request to Supabase has this long (DESIGN §9: `/api` answers 503 within 5 s when the database hangs). */
export const SUPABASE_REQUEST_TIMEOUT_MS = 2_000;

/** supabase-js sets no deadline of its own: a hung PostgREST would hold a request for as long as the socket lives. */
export function fetchWithDeadline(fetchImpl: Fetch, timeoutMs: number): Fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetchImpl(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}

interface PostgrestError {
  code?: string;
  message?: string;
  details?: string | null;
}

/**
 * The supabase-js transport: each call is `POST {SUPABASE_URL}/rest/v1/rpc/<fn>` with the service-role key,
 * for deployments that have no database connection string.
 */
export class SupabaseRpcDatabase extends Database {
  readonly kind = 'supabase' as const;
  private readonly client: SupabaseClient;

  constructor(url: string, serviceRoleKey: string, fetchImpl?: Fetch, timeoutMs = SUPABASE_REQUEST_TIMEOUT_MS) {
    super();
    this.client = createClient(url, serviceRoleKey, {
      auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
      // supabase-js 2.109 on Node 20 has no global WebSocket and throws without a transport, even unused.
      realtime: { transport: ws as unknown as typeof WebSocket },
      global: { fetch: fetchWithDeadline(fetchImpl ?? fetch, timeoutMs) },
    });
  }

  protected async invoke<R>(fn: string, descriptor: SqlFunctionDescriptor, args: FunctionArgs): Promise<R> {
    const body = Object.fromEntries(argumentsToSend(descriptor, args).map(([name, , value]) => [name, toJsonBodyValue(value)]));
    const { data, error, status } = await this.client.rpc(fn, body);
    if (error) throw mapRpcError(error, status);
    return (data ?? null) as R;
  }

  transaction<T>(_work: (session: DatabaseSession) => Promise<T>): Promise<T> {
    return Promise.reject(
      new DatabaseError('internal', 'Transactions need a SQL connection (DATABASE_URL); the Supabase rpc transport runs one function per call'),
    );
  }

  async ping(): Promise<void> {
    await this.call('health_check');
  }

  async close(): Promise<void> {
    await this.client.removeAllChannels();
  }
}

/**
 * PostgREST binds each key of the JSON body to the argument of that name through `json_to_record`, so every
 * value goes as itself: a jsonb argument as the JSON object or array (a JSON string would stay a jsonb string),
 * a timestamp as ISO text.
 */
function toJsonBodyValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

export function mapRpcError(error: PostgrestError, status: number): DatabaseError {
  const message = error.message ?? 'Supabase request failed';
  if (status === 0 || /fetch failed/i.test(message)) return new DatabaseError('unavailable', 'The database (Supabase) cannot be reached', error.code);
  if (error.code?.startsWith('PGRST')) {
    const kind = status === 404 ? 'internal' : status >= 500 ? 'unavailable' : 'internal';
    return new DatabaseError(kind, `Supabase API error ${error.code}: ${message}`, error.code);
  }
  if (status === 503 || status === 504 || status === 520) return new DatabaseError('unavailable', message, error.code);
  // PostgREST carries no routine: our RAISEs have one of our codes and no detail (native violations carry "Key (...)").
  const forPeople = RAISED_CODES.has(error.code ?? '') && !error.details && !/^(permission denied|duplicate key value)/i.test(message);
  return new DatabaseError(kindOfCode(error.code), message, error.code, { forPeople });
}
