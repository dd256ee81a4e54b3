import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** ISO country of a number in E.164 (null when it cannot be told, like `client:alice`). */
export function countryOfNumber(e164: string | null | undefined): string | null {
  if (!e164) return null;
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** The estimated USD per started minute for a country, from the configured card (`default` for the rest). */
export function ratePerMinute(card: Readonly<Record<string, number>>, country: string | null): number {
  return (country ? card[country] : undefined) ?? card.default ?? 0;
}

/** Twilio bills started minutes. */
export function billableMinutes(durationSeconds: number): number {
  return Math.ceil(Math.max(0, durationSeconds) / 60);
}
