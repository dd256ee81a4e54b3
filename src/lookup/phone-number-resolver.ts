import { Injectable, OnModuleInit } from '@nestjs/common';
import { CacheNotices } from '../coherence/cache-notices.service.js';
import type { CacheNotice } from '../coherence/cache-notice.js';
import { Database } from '../database/database.js';
import { normalizePhoneNumber } from './phone-number.js';
import { PhoneNumberResolution } from './phone-number-resolution.js';

/** While cache notices arrive from every instance (LISTEN/NOTIFY or Redis), an answer may live this long... */
const CACHE_TTL_MS = 30_000;
/** ...and without them (the rpc transport without Redis, or a channel reconnecting) only this long (docs/deploy.md). */
export const UNNOTIFIED_CACHE_TTL_MS = 2_000;
const CACHE_MAX = 10_000;

/**
 * Phone number → company and user, in one database round trip. Answers are cached in-process; the database
 * announces every change of a number, a number's users or a company (sql/0130) to every instance, which drops
 * what it held within a second, and drops everything when its notice channel reconnects.
 */
@Injectable()
export class PhoneNumberResolver implements OnModuleInit {
  private readonly cache = new Map<string, { value: PhoneNumberResolution; expires: number }>();

  constructor(
    private readonly db: Database,
    private readonly notices: CacheNotices,
  ) {}

  onModuleInit(): void {
    this.notices.on((notice) => this.onNotice(notice));
  }

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
      this.cache.set(e164, { value, expires: now + (this.notices.live ? CACHE_TTL_MS : UNNOTIFIED_CACHE_TTL_MS) });
    }
    return value;
  }

  /** This instance (re)configured a number: forget it here and, over Redis where there is no database channel, everywhere. */
  invalidate(e164?: string): void {
    if (e164) this.notices.publish({ kind: 'phone_number', phone_number: e164 });
    else this.cache.clear();
  }

  private onNotice(notice: CacheNotice): void {
    switch (notice.kind) {
      case 'phone_number':
        this.cache.delete(notice.phone_number);
        return;
      case 'company':
        for (const [e164, entry] of this.cache) if (entry.value.company_id === notice.company_id) this.cache.delete(e164);
        return;
      case 'reset':
        this.cache.clear();
        return;
      case 'call_stream':
        return;
    }
  }
}
