import { Injectable, OnModuleInit } from '@nestjs/common';
import { CacheNotices } from '../coherence/cache-notices.service.js';

export interface CompanyFallback {
  language: string;
  fallback_number: string | null;
}

const MAX_ENTRIES = 10_000;

/**
 * The last known language and fallback number of each company, remembered from successful webhooks, so that
 * when the database is down the apology still speaks the company's language and dials its fallback number.
 * A company whose agent configuration changed on any instance is forgotten (sql/0130's notice) until its next
 * webhook; a notice channel's reconnect does not clear it, since outages are exactly when it is needed.
 */
@Injectable()
export class CompanyFallbackCache implements OnModuleInit {
  private readonly entries = new Map<string, CompanyFallback>();

  constructor(private readonly notices: CacheNotices) {}

  onModuleInit(): void {
    this.notices.on((notice) => {
      if (notice.kind === 'company') this.entries.delete(notice.company_id);
    });
  }

  remember(companyId: string, value: CompanyFallback): void {
    this.entries.delete(companyId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(companyId, value);
  }

  get(companyId: string | null): CompanyFallback | undefined {
    return companyId ? this.entries.get(companyId) : undefined;
  }
}
