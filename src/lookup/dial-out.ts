import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';

/**
 * Numbers the platform's Twilio account will dial for a company (transfer and fallback): E.164 numbers of a
 * fixed-line, mobile or toll-free type. The default ("min") metadata cannot tell most number types apart (it
 * answers undefined for Mexican and Spanish numbers, so a Spanish 803 premium number would pass): the "max"
 * metadata can.
 */
const DIALABLE_TYPES: ReadonlySet<NumberType> = new Set<NumberType>(['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE']);

/** Non-geographic country codes of satellite and international networks, billed at satellite rates whatever their type. */
const SATELLITE_AND_NETWORK_CODES: ReadonlySet<string> = new Set(['870', '881', '882', '883']);

export type DialOutProblem = 'not_e164' | 'invalid' | 'satellite_or_network' | 'type_not_allowed';

export interface DialOutCheck {
  ok: boolean;
  problem?: DialOutProblem;
  /** libphonenumber's type, when it knows one. */
  type?: NumberType;
}

export function checkDialOutNumber(value: string): DialOutCheck {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return { ok: false, problem: 'not_e164' };
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid()) return { ok: false, problem: 'invalid' };
  if (SATELLITE_AND_NETWORK_CODES.has(parsed.countryCallingCode)) return { ok: false, problem: 'satellite_or_network', type: parsed.getType() };
  const type = parsed.getType();
  if (!type || !DIALABLE_TYPES.has(type)) return { ok: false, problem: 'type_not_allowed', type };
  return { ok: true, type };
}

export function isDialOutNumber(value: string | null | undefined): value is string {
  return typeof value === 'string' && checkDialOutNumber(value).ok;
}

/** A sentence for a refused number, naming the field. */
export function dialOutProblemMessage(field: string, check: DialOutCheck): string {
  switch (check.problem) {
    case 'not_e164':
      return `${field} must be a phone number in E.164 form such as +525512345678`;
    case 'invalid':
      return `${field} is not a valid phone number for its country`;
    case 'satellite_or_network':
      return `${field} is a satellite or international-network number; the agent dials only fixed-line, mobile or toll-free numbers`;
    case 'type_not_allowed':
      return `${field} is a ${(check.type ?? 'unknown-type').toLowerCase().replace(/_/g, '-')} number; the agent dials only fixed-line, mobile or toll-free numbers`;
    case undefined:
      return `${field} is accepted`;
  }
}
