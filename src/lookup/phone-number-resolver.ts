import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { normalizePhoneNumber } from './phone-number.js';
import { PhoneNumberResolution } from './phone-number-resolution.js';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

/**
 * Phone number → company and user, in one database round trip. Answers are cached briefly in-process;
 * whoever (re)configures a number calls `invalidate`, and the short TTL bounds staleness on other instances.
 */
@Injectable()
export class PhoneNumberResolver {
  private readonly cache = new Map<string, { value: PhoneNumberResolution; expires: number }>();

  constructor(private readonly db: Database) {}

  /** Throws InvalidPhoneNumberError for input that is not a phone number; null when no company has it. */
  async resolve(raw: string): Promise<PhoneNumberResolution | null> {
    return this.resolveNormalized(normalizePhoneNumber(raw));
  }

  async resolveNormalized(e164: string): Promise<PhoneNumberResolution | null> {
    const now = Date.now();
    const hit = this.cache.get(e164);
    if (hit && hit.expires > now) return hit.value;
    const value = await this.db.call<'resolve_phone_number', PhoneNumberResolution | null>('resolve_phone_number', { p_phone_number: e164 });
    // Unknown numbers are not cached: a number configured on another instance must work at once.
    if (value) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(e164, { value, expires: now + CACHE_TTL_MS });
    }
    return value;
  }

  invalidate(e164?: string): void {
    if (e164) this.cache.delete(e164);
    else this.cache.clear();
  }
}
