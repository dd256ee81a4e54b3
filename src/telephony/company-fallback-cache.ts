import { Injectable } from '@nestjs/common';

export interface CompanyFallback {
  language: string;
  fallback_number: string | null;
}

const MAX_ENTRIES = 10_000;

/**
 * The last known language and fallback number of each company, remembered from successful webhooks, so that
 * when the database is down the apology still speaks the company's language and dials its fallback number.
 */
@Injectable()
export class CompanyFallbackCache {
  private readonly entries = new Map<string, CompanyFallback>();

  remember(companyId: string, value: CompanyFallback): void {
    this.entries.delete(companyId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(companyId, value);
  }

  get(companyId: string | null): CompanyFallback | undefined {
    return companyId ? this.entries.get(companyId) : undefined;
  }
}
