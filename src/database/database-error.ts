export type DatabaseErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'unavailable' | 'internal';

/**
 * A failure of the data layer, the same whichever transport raised it. SQL functions raise
 * `invalid_parameter_value` (22023), `no_data_found` (P0002), `unique_violation` (23505) and
 * `check_violation` (23514) with messages written for people; everything else is internal.
 */
export class DatabaseError extends Error {
  /** Whether `message` was written for people (raised by our SQL functions) rather than PostgreSQL's own text. */
  readonly forPeople: boolean;

  constructor(
    readonly kind: DatabaseErrorKind,
    message: string,
    readonly code?: string,
    options?: { cause?: unknown; forPeople?: boolean },
  ) {
    super(message, options);
    this.name = 'DatabaseError';
    this.forPeople = options?.forPeople ?? false;
  }

  static fromPostgres(error: unknown): DatabaseError {
    if (error instanceof DatabaseError) return error;
    const e = error as { code?: string; message?: string; routine?: string };
    const message = e?.message ?? String(error);
    const code = typeof e?.code === 'string' ? e.code : undefined;
    // node-postgres's own deadlines and lost connections carry no SQLSTATE, only a message.
    if (!code && CLIENT_SIDE_FAILURE.test(message)) return new DatabaseError('unavailable', message, undefined, { cause: error });
    // PL/pgSQL's RAISE reports this routine: the message is ours. Anything else is the server's own wording.
    return new DatabaseError(kindOfCode(code), message, code, { cause: error, forPeople: e?.routine === 'exec_stmt_raise' });
  }
}

/** The SQLSTATEs our SQL functions raise with messages for people (sql/*.sql `using errcode`). */
export const RAISED_CODES: ReadonlySet<string> = new Set(['22023', 'P0002', '23505', '42501']);

/**
 * What a person is told when the database refused a request in its own words (which name types, columns and
 * constraints, and help nobody fix the request).
 */
export const PUBLIC_DATABASE_MESSAGES: Record<DatabaseErrorKind, string> = {
  invalid: 'A value in the request is not in a form that can be stored (a wrong type, format or length); check the fields and try again',
  not_found: 'The requested record was not found',
  conflict: 'This conflicts with a record that already exists',
  forbidden: 'You do not have access to this',
  unavailable: 'The database is unavailable; try again shortly',
  internal: 'An unexpected error occurred',
};

const CLIENT_SIDE_FAILURE = /^(Query read timeout|timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error)/;

// 57014: query_canceled (statement_timeout), 55P03: lock_not_available (lock_timeout).
const CONNECTION_CODES = new Set(['57014', '55P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '53300']);

export function kindOfCode(code: string | undefined): DatabaseErrorKind {
  if (!code) return 'internal';
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return 'unavailable';
  switch (code) {
    case '22023':
    case '22P02':
    case '23514':
    case '23502':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case 'P0001':
      return 'invalid';
    case 'P0002':
      return 'not_found';
    case '23505':
    case '40001':
      return 'conflict';
    case '23503':
      return 'invalid';
    case '42501':
      return 'forbidden';
    default:
      return 'internal';
  }
}
