import { Injectable } from '@nestjs/common';
import { EndTracking, MetricsService } from '../metrics/metrics.service.js';
import type { StreamKind } from '../twilio/stream-token.service.js';

/** A call bridged by a gateway of this instance. */
export interface LiveCall {
  readonly callSid: string;
  readonly kind: StreamKind;
  /** Ends the call with a goodbye to the caller (shutdown, or replaced by a newer stream of the same call). */
  endPolitely(reason: string): Promise<void>;
  /** Closes everything at once, without a goodbye. */
  terminate(reason: string): void;
  /** Settles when the call has fully ended and its records are written. */
  readonly finished: Promise<void>;
}

/**
 * The calls live on this instance, by CallSid. Twilio sometimes opens a second stream for the same call: the
 * newer one wins and the older is closed. Entries leave on every exit path (the session calls `remove`).
 */
@Injectable()
export class LiveCallRegistry {
  private readonly calls = new Map<string, LiveCall>();
  /** Metrics: each stream while it is open; each call while any stream of it is. */
  private readonly streamEnds = new Map<LiveCall, EndTracking>();
  private readonly callEnds = new Map<string, EndTracking>();
  private accepting = true;
  private ready = true;

  constructor(private readonly metrics: MetricsService) {}

  get size(): number {
    return this.calls.size;
  }

  isAccepting(): boolean {
    return this.accepting;
  }

  /** Whether the load balancer should send new calls here: false from the first moment of a shutdown. */
  isReady(): boolean {
    return this.ready;
  }

  /** Shutdown, first step: `/health` turns 503 while webhooks and streams are still served. */
  stopBeingReady(): void {
    this.ready = false;
  }

  /** Shutdown, once the load balancer has taken this instance out: no new streams from now on. */
  stopAccepting(): void {
    this.ready = false;
    this.accepting = false;
  }

  /** Registers a call; returns the older stream of the same call, which the caller must close. */
  add(call: LiveCall): LiveCall | undefined {
    const previous = this.calls.get(call.callSid);
    this.calls.set(call.callSid, call);
    if (!this.streamEnds.has(call)) this.streamEnds.set(call, this.metrics.streamOpened(call.kind));
    if (!this.callEnds.has(call.callSid)) this.callEnds.set(call.callSid, this.metrics.callStarted(call.kind));
    return previous === call ? undefined : previous;
  }

  /** Removes a call, unless a newer stream of it has taken its place. */
  remove(call: LiveCall): void {
    this.streamEnds.get(call)?.();
    this.streamEnds.delete(call);
    if (this.calls.get(call.callSid) === call) {
      this.calls.delete(call.callSid);
      this.callEnds.get(call.callSid)?.();
      this.callEnds.delete(call.callSid);
    }
  }

  list(): LiveCall[] {
    return [...this.calls.values()];
  }
}
