/** Arguments of a database function, by parameter name (`p_...`). */
export type FunctionArgs = Record<string, unknown>;

export type DatabaseKind = 'embedded' | 'postgres' | 'supabase';

/** A unit of work on one connection: every call inside it commits or rolls back together. */
export interface DatabaseSession {
  call<T>(fn: string, args?: FunctionArgs): Promise<T>;
}

/**
 * The one data port. Every operation is a SQL function in `sql/` returning jsonb, so every
 * transport yields the same shapes. An abstract class so that it is the DI token.
 */
export abstract class Database implements DatabaseSession {
  abstract readonly kind: DatabaseKind;
  /** Calls `public.<fn>(p_x => ...)` and returns its jsonb result (null when the function returns null). */
  abstract call<T>(fn: string, args?: FunctionArgs): Promise<T>;
  /** Runs several calls in one transaction (SQL transports only: put multi-step rules in one function instead where you can). */
  abstract transaction<T>(work: (session: DatabaseSession) => Promise<T>): Promise<T>;
  /** Round trip used by the health check. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Function and argument names are interpolated into SQL, so they are checked against a strict pattern. */
export function assertIdentifier(name: string): void {
  if (!IDENTIFIER.test(name)) throw new Error(`Invalid SQL identifier: ${JSON.stringify(name)}`);
}
