import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';

export const TELEPHONY_COUNTERS = [
  'calls_connected',
  'calls_refused_limit',
  'calls_refused_after_hours',
  'calls_apologised',
  'company_mismatch',
  'status_callbacks',
  'status_callbacks_duplicate',
  'status_callbacks_unknown_call',
  'prices_backfilled',
] as const;

export type TelephonyCounter = (typeof TELEPHONY_COUNTERS)[number];

/** In-process counters of the telephony module; `GET /metrics` shows them as `telephony_events_total{event}`. */
@Injectable()
export class TelephonyMetrics {
  private readonly counts = new Map<TelephonyCounter, number>();

  constructor(metrics: MetricsService) {
    // Every counter shows from the start (0), so dashboards and alerts see a series before the first event.
    for (const counter of TELEPHONY_COUNTERS) this.counts.set(counter, 0);
    metrics.exposeCounts(
      'telephony_events_total',
      'Telephony events on this instance: calls connected, refused, apologised, company mismatches, status callbacks, prices backfilled',
      'event',
      () => this.snapshot(),
    );
  }

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
