import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { SequencedEvent } from './company-event.js';
import { CompanyEventsRepository } from './company-events.repository.js';

/** One open stream: gets its company's events in order, each once. */
export interface StreamSubscriber {
  companyId: string;
  deliver(event: SequencedEvent): void;
  /** The instance is shutting down. */
  end(): void;
}

/** Rows with a lower seq may commit after a higher one was read: each poll reads this many seqs back again. */
const LATE_COMMIT_WINDOW = 200;
const POLL_LIMIT = 2000;

/**
 * The live stream's source. The outbox table is the one place where every instance's events meet (a call's
 * WebSocket and a dashboard's stream may be on different instances), so one poller per instance, running only
 * while it has streams open, reads every company's new events and hands each to the streams of its company.
 */
@Injectable()
export class EventStreamService implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStream');
  private readonly subscribers = new Map<string, Set<StreamSubscriber>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private watermark: number | null = null;
  /** The head when the poller started: older events are only for replay (Last-Event-ID). */
  private floor = 0;
  private readonly seen = new Set<number>();

  constructor(
    private readonly repository: CompanyEventsRepository,
    private readonly config: AppConfig,
  ) {}

  /** Events of one company after `afterSeq` (Last-Event-ID), oldest first. */
  replay(companyId: string, afterSeq: number): Promise<SequencedEvent[]> {
    return this.repository.companyEventsAfter(companyId, afterSeq, 1000);
  }

  /** Starts the poller (at the current head) before the first stream's replay, so nothing falls between the two. */
  async subscribe(subscriber: StreamSubscriber): Promise<() => void> {
    if (this.watermark === null) {
      this.watermark = (await this.repository.recentEvents(null, 0, 1)).head;
      this.floor = this.watermark;
    }
    const set = this.subscribers.get(subscriber.companyId) ?? new Set<StreamSubscriber>();
    set.add(subscriber);
    this.subscribers.set(subscriber.companyId, set);
    this.timer ??= setInterval(() => void this.poll(), this.config.events.stream.pollIntervalMs);
    return () => this.unsubscribe(subscriber);
  }

  get openStreams(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  onApplicationShutdown(): void {
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.end();
    this.subscribers.clear();
    this.stop();
  }

  private unsubscribe(subscriber: StreamSubscriber): void {
    const set = this.subscribers.get(subscriber.companyId);
    set?.delete(subscriber);
    if (set && set.size === 0) this.subscribers.delete(subscriber.companyId);
    if (this.subscribers.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // The next first stream starts again at the head.
    this.watermark = null;
    this.seen.clear();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watermark === null) return;
    this.polling = true;
    try {
      const { events } = await this.repository.recentEvents(this.watermark, LATE_COMMIT_WINDOW, POLL_LIMIT);
      for (const event of events) {
        if (event.seq <= this.floor || this.seen.has(event.seq)) continue;
        this.seen.add(event.seq);
        if (this.watermark !== null && event.seq > this.watermark) this.watermark = event.seq;
        for (const subscriber of this.subscribers.get(event.company_id) ?? []) subscriber.deliver(event);
      }
      if (this.watermark !== null) for (const seq of this.seen) if (seq <= this.watermark - LATE_COMMIT_WINDOW) this.seen.delete(seq);
    } catch (error) {
      this.logger.warn({ event: 'event_stream_poll_failed', err: error }, 'Reading new events failed; the next poll tries again');
    } finally {
      this.polling = false;
    }
  }
}
