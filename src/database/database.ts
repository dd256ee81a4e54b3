import { functionDescriptor, SqlArgsParameter, SqlFunctionDescriptor, SqlFunctionName, SqlResult } from './sql-function-types.js';

export type DatabaseKind = 'embedded' | 'postgres' | 'supabase';

/** Arguments as a transport receives them: checked against the function's descriptor, not yet encoded. */
export type FunctionArgs = Readonly<Record<string, unknown>>;

/** A unit of work on one connection: every call inside it commits or rolls back together. */
export interface DatabaseSession {
  call<F extends SqlFunctionName, R = SqlResult<F>>(fn: F, ...args: SqlArgsParameter<F>): Promise<R>;
}

/**
 * The one data port. Every operation is a SQL function in `sql/` returning jsonb, so every transport yields
 * the same shapes. `call` is typed by the generated descriptors (`sql-functions.generated.ts`): the function
 * name, its argument names and their types; each transport encodes the values for its own wire from the
 * descriptor, so callers pass plain values (a jsonb argument is an object or array, never a JSON string).
 * The result of a jsonb function is shaped by its SQL body, which only the calling repository can name: R.
 * An abstract class so that it is the DI token.
 */
export abstract class Database implements DatabaseSession {
  abstract readonly kind: DatabaseKind;

  /** Calls `public.<fn>(p_x => ...)` and returns its jsonb result (null when the function returns null). */
  call<F extends SqlFunctionName, R = SqlResult<F>>(fn: F, ...[args]: SqlArgsParameter<F>): Promise<R> {
    let descriptor: SqlFunctionDescriptor;
    try {
      descriptor = describedCall(fn, args ?? {});
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.invoke<R>(fn, descriptor, args ?? {});
  }

  /** Runs one described function on the transport, encoding `args` from `descriptor`'s SQL types. */
  protected abstract invoke<R>(fn: string, descriptor: SqlFunctionDescriptor, args: FunctionArgs): Promise<R>;
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

/** The descriptor of `fn`, after checking that every argument given is one of its parameters. */
export function describedCall(fn: string, args: FunctionArgs): SqlFunctionDescriptor {
  assertIdentifier(fn);
  const descriptor = functionDescriptor(fn);
  for (const name of Object.keys(args)) {
    if (!(name in descriptor.args)) throw new Error(`public.${fn} has no argument ${JSON.stringify(name)}`);
  }
  return descriptor;
}

/**
 * The arguments to send, in the descriptor's order: an undefined argument with a SQL default is left out
 * (the default applies); without one it is SQL null.
 */
export function argumentsToSend(descriptor: SqlFunctionDescriptor, args: FunctionArgs): [name: string, type: string, value: unknown][] {
  const out: [string, string, unknown][] = [];
  for (const [name, { type, hasDefault }] of Object.entries(descriptor.args)) {
    const value = args[name];
    if (value === undefined && hasDefault) continue;
    out.push([name, type, value ?? null]);
  }
  return out;
}
