import { parsePhoneNumberFromString } from 'libphonenumber-js';

export class InvalidPhoneNumberError extends Error {
  constructor(readonly input: string) {
    super(`"${truncate(input)}" is not a phone number; send it in international form, for example +525512345678`);
    this.name = 'InvalidPhoneNumberError';
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** WhatsApp still writes Mexican mobiles with the old mobile prefix 1 (+52 1 55...); the dialable number has none. */
const MEXICAN_MOBILE_PREFIX = /^\+521(\d{10})$/;

/**
 * Normalises every reasonable form to E.164: `+52 55 1234 5678`, `525512345678`, `tel:+525512345678`,
 * `%2B525512345678`, `whatsapp:+5215512345678`. Throws InvalidPhoneNumberError for anything else.
 */
export function normalizePhoneNumber(raw: string): string {
  if (typeof raw !== 'string') throw new InvalidPhoneNumberError(String(raw));
  let text = raw.trim();
  if (text.length === 0 || text.length > 64) throw new InvalidPhoneNumberError(raw);
  if (/%[0-9a-f]{2}/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw new InvalidPhoneNumberError(raw);
    }
  }
  text = text.replace(/^(whatsapp|tel|sms):/i, '').trim();
  // A form-decoded "+" arrives as a space; digits alone are taken as international.
  if (/^\d[\d\s().-]*$/.test(text)) text = `+${text}`;
  if (!/^\+[\d\s().-]+$/.test(text)) throw new InvalidPhoneNumberError(raw);
  const compact = `+${text.replace(/\D/g, '')}`;
  const mexicanMobile = MEXICAN_MOBILE_PREFIX.exec(compact);
  const candidate = mexicanMobile ? `+52${mexicanMobile[1]}` : compact;
  const number = possibleNumber(candidate);
  if (!number) throw new InvalidPhoneNumberError(raw);
  return number;
}

/**
 * libphonenumber's parse is most of a webhook's number handling, and the same numbers (a company's line, its
 * regular callers) come back call after call; what it said of a candidate never changes. Bounded: a flood of
 * new numbers only empties the memo.
 */
const possibleNumbers = new Map<string, string | null>();
const POSSIBLE_NUMBERS_LIMIT = 10_000;

function possibleNumber(candidate: string): string | null {
  let number = possibleNumbers.get(candidate);
  if (number === undefined) {
    const parsed = parsePhoneNumberFromString(candidate);
    number = parsed?.isPossible() ? parsed.number : null;
    if (possibleNumbers.size >= POSSIBLE_NUMBERS_LIMIT) possibleNumbers.clear();
    possibleNumbers.set(candidate, number);
  }
  return number;
}

/** For logs: only the last four digits of a number are ever written. */
export function maskPhoneNumber(number: string | undefined | null): string | undefined {
  if (!number) return undefined;
  const digits = number.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `***${digits.slice(-4)}`;
}
