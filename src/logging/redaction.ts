/**
 * What never reaches a log line: credentials (by field name, at any depth) and full phone numbers (anywhere in
 * a text: only the last four digits stay, enough to tell calls apart when diagnosing).
 */

/** Header and field paths pino censors on serialised request/response objects (belt and braces: see `redactFields`). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-twilio-signature"]',
  '*.token',
  '*.access_token',
  '*.password',
];

export const REDACTED = '[redacted]';

/** Field names (lower case) whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'x-twilio-signature',
  'x-api-key',
  'signature',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'jwt',
  'password',
  'secret',
  'api_key',
  'apikey',
  'auth_token',
  'authtoken',
  'service_role_key',
]);

// Six or more digits (spaces, dots, dashes and brackets allowed between), optionally after + or its URL
// encoding, not glued to letters: phone numbers in paths, query strings and messages, but not the digits
// inside SIDs (CA0123...), UUIDs or ISO timestamps, which log lines need intact. A percent escape may come
// just before (`whatsapp%3A%2B52...` in a URL-encoded query string).
const PHONE_IN_TEXT = /(?:(?<![\w.%-])|(?<=%[0-9a-f]{2}))(?:\+|%2B)?\d(?:[\d\s().-]|%20){5,}\d(?![\w-])/gi;
// Digit runs that look like a phone number but are not one: all-digit UUIDs, IPv4 addresses, ISO dates.
const NOT_A_PHONE = [/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /^\d{1,3}(?:\.\d{1,3}){3}$/, /^\d{4}-\d{2}-\d{2}$/];
// Tokens in query strings (Twilio stream parameters, links) and bearer credentials in free text.
const TOKEN_IN_QUERY = /([?&](?:token|access_token|signature|jwt)=)[^&#\s]*/gi;
const BEARER_IN_TEXT = /(bearer\s+)[\w.~+/=-]+/gi;
const JWT_IN_TEXT = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;

// What every pattern above needs at least one of: a digit (phone numbers), "=" (query tokens), "bearer", "eyJ".
const MAY_HOLD_SECRET = /[\d=]|bearer|eyJ/i;

/** Keeps only the last four digits of any phone number in a text, and drops token values. */
export function redactText(text: string): string {
  // Most logged strings (event names, outcomes, fixed messages) can match none of the patterns: one test, not four.
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text
    .replace(TOKEN_IN_QUERY, `$1${REDACTED}`)
    .replace(BEARER_IN_TEXT, `$1${REDACTED}`)
    .replace(JWT_IN_TEXT, REDACTED)
    .replace(PHONE_IN_TEXT, (match) => {
      if (NOT_A_PHONE.some((pattern) => pattern.test(match))) return match;
      const digits = match.replace(/%2B|%20|\D/gi, '');
      return `***${digits.slice(-4)}`;
    });
}

/**
 * Set to true on a log object whose message the app composed from its own configuration and fixtures (the
 * start-up summary, which names the demo company's number): that message is written as it is. Never for text
 * that carries request, caller or vendor data. A symbol, so it is not written itself.
 */
export const VERBATIM_MESSAGE = Symbol('verbatim message');

const MAX_DEPTH = 6;

/**
 * A copy of a log object with secret fields censored and phone numbers masked in every string. Only plain
 * objects and arrays are walked: class instances (requests, errors) have their own serializers.
 */
export function redactFields<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactFields(item, depth + 1)) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) && field !== undefined && field !== null ? REDACTED : redactFields(field, depth + 1);
  }
  return out as T;
}

/** Errors keep their type and stack, with phone numbers and tokens masked in the message and stack. */
export function redactError(error: unknown): unknown {
  if (!(error instanceof Error)) return redactFields(error);
  const out: Record<string, unknown> = { type: error.name, message: redactText(error.message) };
  if (error.stack) out.stack = redactText(error.stack);
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  const status = (error as { status?: unknown }).status;
  if (status !== undefined) out.status = status;
  if (error.cause !== undefined) out.cause = redactError(error.cause);
  return out;
}
