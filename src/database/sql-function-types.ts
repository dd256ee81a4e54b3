import { SQL_FUNCTIONS } from './sql-functions.generated.js';

/** The SQL functions the API may call, by name (generated from the catalog: `npm run db:types`). */
export type SqlFunctionName = keyof typeof SQL_FUNCTIONS;

export interface SqlArgumentDescriptor {
  readonly type: string;
  readonly hasDefault?: boolean;
}

export interface SqlFunctionDescriptor {
  readonly args: Readonly<Record<string, SqlArgumentDescriptor>>;
  readonly returns: string;
  readonly returnsSet: boolean;
}

/**
 * A jsonb argument is a JSON value given as itself (object, array, number, boolean): never a string, so a
 * pre-encoded `JSON.stringify(...)` does not type-check. Each transport encodes it for its wire.
 */
export type JsonbArgument = object | number | boolean;

/** The TypeScript value a SQL argument type takes. */
export type SqlValue<T extends string> = T extends 'uuid' | 'text' | 'character varying'
  ? string
  : T extends 'integer' | 'bigint' | 'smallint' | 'numeric' | 'double precision' | 'real'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'jsonb' | 'json'
        ? JsonbArgument
        : T extends 'timestamp with time zone' | 'date'
          ? Date | string
          : T extends `${infer E}[]`
            ? readonly SqlValue<E>[]
            : never;

type ArgsOf<F extends SqlFunctionName> = (typeof SQL_FUNCTIONS)[F]['args'];
type Required_<F extends SqlFunctionName> = { [K in keyof ArgsOf<F> as ArgsOf<F>[K] extends { hasDefault: true } ? never : K]: ArgsOf<F>[K] };
type Optional_<F extends SqlFunctionName> = { [K in keyof ArgsOf<F> as ArgsOf<F>[K] extends { hasDefault: true } ? K : never]: ArgsOf<F>[K] };
type TypeOf<D> = D extends { type: infer T extends string } ? T : never;

/** Named arguments of a function: those without a SQL default are required (null is SQL null). */
export type SqlArgs<F extends SqlFunctionName> = { [K in keyof Required_<F>]: SqlValue<TypeOf<Required_<F>[K]>> | null } & {
  [K in keyof Optional_<F>]?: SqlValue<TypeOf<Optional_<F>[K]>> | null;
};

/** `call('fn')` for functions without required arguments, `call('fn', args)` otherwise. */
export type SqlArgsParameter<F extends SqlFunctionName> = keyof Required_<F> extends never ? [args?: SqlArgs<F>] : [args: SqlArgs<F>];

/** What the transports return for a function's SQL result type: jsonb comes back parsed, void as null. */
export type SqlResult<F extends SqlFunctionName> = (typeof SQL_FUNCTIONS)[F]['returns'] extends 'void' ? null : unknown;

export function functionDescriptor(fn: string): SqlFunctionDescriptor {
  const descriptor = (SQL_FUNCTIONS as Readonly<Record<string, SqlFunctionDescriptor>>)[fn];
  if (!descriptor) throw new Error(`public.${fn} is not a described SQL function: add it in sql/ and run npm run db:types`);
  return descriptor;
}
