import { Injectable } from '@nestjs/common';

/** Counters the metrics module reads; kept here so the guard has no dependency on how metrics are exported. */
@Injectable()
export class TwilioWebhookMetrics {
  private readonly failures = new Map<string, number>();

  signatureFailure(route: string): void {
    this.failures.set(route, (this.failures.get(route) ?? 0) + 1);
  }

  signatureFailures(): ReadonlyMap<string, number> {
    return this.failures;
  }
}
