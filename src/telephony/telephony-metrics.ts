import { Injectable } from '@nestjs/common';

export type TelephonyCounter =
  | 'calls_connected'
  | 'calls_refused_limit'
  | 'calls_refused_after_hours'
  | 'calls_apologised'
  | 'company_mismatch'
  | 'status_callbacks'
  | 'status_callbacks_duplicate'
  | 'status_callbacks_unknown_call'
  | 'prices_backfilled';

/** In-process counters of the telephony module, for the metrics endpoint to read. */
@Injectable()
export class TelephonyMetrics {
  private readonly counts = new Map<TelephonyCounter, number>();

  increment(counter: TelephonyCounter, by = 1): void {
    this.counts.set(counter, (this.counts.get(counter) ?? 0) + by);
  }

  get(counter: TelephonyCounter): number {
    return this.counts.get(counter) ?? 0;
  }

  snapshot(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }
}
