import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TwilioWebhookMetrics } from '../twilio/twilio-webhook-metrics.js';

export const VOICE_PATHS = ['conversation_relay', 'media_stream'] as const;
export type VoicePath = (typeof VOICE_PATHS)[number];
export type JobOutcome = 'success' | 'failure' | 'skipped';
export type RateLimitScope = 'api' | 'twilio' | 'unauthenticated';

/** Ends a tracked call or stream once, however many exit paths call it. */
export type EndTracking = () => void;

/**
 * The application's Prometheus metrics. Modules call the verbs (`callStarted`, `agentTurnLatency`, ...);
 * `GET /metrics` renders them. Each app instance owns a registry, so several apps in one process (tests)
 * never clash over metric names.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly callsTotal = this.counter('calls_total', 'Calls connected to an agent, by voice path', ['voice_path']);
  private readonly callsActive = this.gauge('calls_active', 'Calls in progress on this instance, by voice path', ['voice_path']);
  private readonly streamsTotal = this.counter('streams_total', 'Twilio WebSocket streams opened, by voice path', ['voice_path']);
  private readonly streamsActive = this.gauge('streams_active', 'Twilio WebSocket streams open on this instance, by voice path', ['voice_path']);
  private readonly turnLatency = new Histogram({
    name: 'agent_turn_latency_seconds',
    help: 'From the caller finishing a turn to the first agent output, by brain',
    labelNames: ['brain'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [this.registry],
  });
  private readonly providerErrors = this.counter('provider_errors_total', 'Failed calls to outside providers (Twilio, OpenAI, ...)', ['provider', 'kind']);
  private readonly bundles = this.gauge('regulatory_bundles', 'Regulatory bundles by status (from the database, the same on every instance)', ['status']);
  private readonly jobRuns = this.counter('scheduled_job_runs_total', 'Runs of scheduled jobs by name and outcome', ['job', 'outcome']);
  private readonly jobDuration = new Histogram({
    name: 'scheduled_job_duration_seconds',
    help: 'How long scheduled job runs take, by name',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  private readonly rateLimitedTotal = this.counter('rate_limited_requests_total', 'Requests refused with 429, by limit', ['scope']);

  private readonly live = { calls: new Map<VoicePath, number>(), streams: new Map<VoicePath, number>() };

  constructor(twilioWebhooks: TwilioWebhookMetrics) {
    collectDefaultMetrics({ register: this.registry });
    // Both voice paths show 0 from the start, so dashboards and alerts see a series before the first call.
    for (const voicePath of VOICE_PATHS) {
      this.callsActive.set({ voice_path: voicePath }, 0);
      this.streamsActive.set({ voice_path: voicePath }, 0);
    }
    // The signature guard counts in TwilioWebhookMetrics (the Twilio module knows nothing of Prometheus);
    // the counter reads it at every scrape.
    new Counter({
      name: 'twilio_signature_failures_total',
      help: 'Requests refused for a missing or invalid X-Twilio-Signature, by route',
      labelNames: ['route'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [route, count] of twilioWebhooks.signatureFailures()) this.inc({ route }, count);
      },
    });
  }

  /** Observes one finished HTTP request; `route` is the route template, never the raw URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** A call connected to its agent; the returned function (or `callEnded`) ends it. */
  callStarted(voicePath: VoicePath): EndTracking {
    this.callsTotal.inc({ voice_path: voicePath });
    this.adjust('calls', voicePath, +1);
    return once(() => this.callEnded(voicePath));
  }

  callEnded(voicePath: VoicePath): void {
    this.adjust('calls', voicePath, -1);
  }

  /** A Twilio WebSocket stream opened; the returned function (or `streamClosed`) closes it. */
  streamOpened(voicePath: VoicePath): EndTracking {
    this.streamsTotal.inc({ voice_path: voicePath });
    this.adjust('streams', voicePath, +1);
    return once(() => this.streamClosed(voicePath));
  }

  streamClosed(voicePath: VoicePath): void {
    this.adjust('streams', voicePath, -1);
  }

  agentTurnLatency(milliseconds: number, brain: string): void {
    this.turnLatency.observe({ brain }, milliseconds / 1000);
  }

  providerError(provider: string, kind = 'error'): void {
    this.providerErrors.inc({ provider, kind });
  }

  /** The number of bundles in one status (from a database count). */
  bundleState(status: string, count: number): void {
    this.bundles.set({ status }, count);
  }

  /** Every status at once: statuses left out of `counts` drop to zero rather than keep an old value. */
  bundleStates(counts: Readonly<Record<string, number>>): void {
    this.bundles.reset();
    for (const [status, count] of Object.entries(counts)) this.bundles.set({ status }, count);
  }

  jobRun(job: string, outcome: JobOutcome, milliseconds?: number): void {
    this.jobRuns.inc({ job, outcome });
    if (milliseconds !== undefined) this.jobDuration.observe({ job }, milliseconds / 1000);
  }

  rateLimited(scope: RateLimitScope): void {
    this.rateLimitedTotal.inc({ scope });
  }

  /**
   * A counter whose values another module keeps (by one label), read at every scrape: modules count in plain
   * objects of their own and know nothing of Prometheus.
   */
  exposeCounts(name: string, help: string, label: string, read: () => Readonly<Record<string, number>>): void {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, count] of Object.entries(read())) this.inc({ [label]: value }, count);
      },
    });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private adjust(kind: 'calls' | 'streams', voicePath: VoicePath, delta: number): void {
    // Own counts, clamped at zero: a stray second "ended" must not show a negative number of live calls.
    const next = Math.max(0, (this.live[kind].get(voicePath) ?? 0) + delta);
    this.live[kind].set(voicePath, next);
    (kind === 'calls' ? this.callsActive : this.streamsActive).set({ voice_path: voicePath }, next);
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

function once(fn: () => void): EndTracking {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
