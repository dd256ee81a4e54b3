import { InvalidPhoneNumberError, normalizePhoneNumber } from '../lookup/phone-number.js';

/** A Twilio webhook body: form fields as strings (Twilio adds fields over time; unknown ones are ignored). */
export type TwilioForm = Record<string, unknown>;

export function field(body: TwilioForm | undefined, name: string): string | null {
  const value = body?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** E.164, or null for what is not a phone number (`client:alice`, `sip:…`, anonymous). */
export function phoneField(body: TwilioForm | undefined, name: string): string | null {
  const raw = field(body, name);
  if (!raw) return null;
  try {
    return normalizePhoneNumber(raw);
  } catch (error) {
    if (error instanceof InvalidPhoneNumberError) return null;
    throw error;
  }
}

export function integerField(body: TwilioForm | undefined, name: string): number | null {
  const raw = field(body, name);
  if (raw === null || !/^\d{1,9}$/.test(raw)) return null;
  return Number(raw);
}

/** Twilio's Timestamp is RFC 2822 (`Sat, 03 Dec 2022 14:46:36 +0000`); ISO 8601 is accepted too. */
export function timestampField(body: TwilioForm | undefined, name: string): Date | null {
  const raw = field(body, name);
  if (!raw) return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : new Date(ms);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string | null | undefined): value is string => typeof value === 'string' && UUID.test(value);

/** What call_sessions accepts as a CallSid: Twilio's CA + 32 hex, or a short opaque id (simulators). */
const CALL_SID = /^CA[0-9a-fA-F]{32}$|^[A-Za-z0-9_-]{6,64}$/;
export const isValidCallSid = (value: string | null | undefined): value is string => typeof value === 'string' && CALL_SID.test(value);
