import { Injectable, OnModuleInit } from '@nestjs/common';
import { CacheNotices } from '../coherence/cache-notices.service.js';
import type { CacheNotice } from '../coherence/cache-notice.js';
import { Database } from '../database/database.js';
import { normalizePhoneNumber } from './phone-number.js';
import { PhoneNumberResolution } from './phone-number-resolution.js';

/** While the database announces every change (LISTEN/NOTIFY), an answer may live this long... */
const CACHE_TTL_MS = 30_000;
/**
 * ...and otherwise only this long (README): on the rpc transport, where Redis (when set) carries the instances'
 * own changes at once but not a change made in SQL by anyone else, and while the LISTEN connection reconnects.
 */
export const UNNOTIFIED_CACHE_TTL_MS = 2_000;
const CACHE_MAX = 10_000;

interface PendingRead {
  e164: string;
  /** The number itself changed, or notices may have been missed. */
  stale: boolean;
  /** Companies announced as changed meanwhile: stale if the answer names one of them. */
  companies: Set<string>;
}

/**
 * Phone number → company and user, in one database round trip. Answers are cached in-process; the database
 * announces every change of a number, a number's users or a company (sql/0130) to every instance, which drops
 * what it held within a second, and drops everything when its notice channel reconnects.
 */
@Injectable()
export class PhoneNumberResolver implements OnModuleInit {
  private readonly cache = new Map<string, { value: PhoneNumberResolution; expires: number }>();
  /** Lookups under way, with what was announced meanwhile: such an answer may predate the change, so it is not cached. */
  private readonly reading = new Set<PendingRead>();

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
    const read: PendingRead = { e164, stale: false, companies: new Set() };
    this.reading.add(read);
    let value: PhoneNumberResolution | null;
    try {
      value = await this.db.call<'resolve_phone_number', PhoneNumberResolution | null>('resolve_phone_number', { p_phone_number: e164 });
    } finally {
      this.reading.delete(read);
    }
    // Unknown numbers are not cached: a number configured on another instance must work at once.
    if (value && !read.stale && !read.companies.has(value.company_id)) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(e164, { value, expires: now + (this.notices.coversEveryWriter ? CACHE_TTL_MS : UNNOTIFIED_CACHE_TTL_MS) });
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
        for (const read of this.reading) if (read.e164 === notice.phone_number) read.stale = true;
        return;
      case 'company':
        for (const [e164, entry] of this.cache) if (entry.value.company_id === notice.company_id) this.cache.delete(e164);
        for (const read of this.reading) read.companies.add(notice.company_id);
        return;
      case 'reset':
        this.cache.clear();
        for (const read of this.reading) read.stale = true;
        return;
      case 'call_stream':
        return;
    }
  }
}
