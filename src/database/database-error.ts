export type DatabaseErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'unavailable' | 'internal';

/**
 * A failure of the data layer, the same whichever transport raised it. SQL functions raise
 * `invalid_parameter_value` (22023), `no_data_found` (P0002), `unique_violation` (23505) and
 * `check_violation` (23514) with messages written for people; everything else is internal.
 */
export class DatabaseError extends Error {
  constructor(
    readonly kind: DatabaseErrorKind,
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseError';
  }

  static fromPostgres(error: unknown): DatabaseError {
    if (error instanceof DatabaseError) return error;
    const e = error as { code?: string; message?: string };
    const message = e?.message ?? String(error);
    const code = typeof e?.code === 'string' ? e.code : undefined;
    // node-postgres's own deadlines and lost connections carry no SQLSTATE, only a message.
    if (!code && CLIENT_SIDE_FAILURE.test(message)) return new DatabaseError('unavailable', message, undefined, { cause: error });
    return new DatabaseError(kindOfCode(code), message, code, { cause: error });
  }
}

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
      return 'conflict';
    case '23503':
      return 'invalid';
    case '42501':
      return 'forbidden';
    default:
      return 'internal';
  }
}
