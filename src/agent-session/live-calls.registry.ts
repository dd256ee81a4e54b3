import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CallOwnershipService } from '../call-owners/call-ownership.service.js';
import { CacheNotices } from '../coherence/cache-notices.service.js';
import type { CacheNotice } from '../coherence/cache-notice.js';
import { EndTracking, MetricsService } from '../metrics/metrics.service.js';
import type { StreamKind } from '../twilio/stream-token.service.js';
import type { StreamIdentity } from './call-context.js';

/** Newest claims heard per call, for a stream that registers after the notice that superseded it arrived. */
const REMEMBERED_CLAIMS = 10_000;

/** A call bridged by a gateway of this instance. */
export interface LiveCall {
  readonly callSid: string;
  readonly kind: StreamKind;
  /** This stream's claim of the call (sql/0130), once admitted; undefined when it could not be written. */
  readonly stream: StreamIdentity | undefined;
  /** Ends the call with a goodbye to the caller (shutdown, or replaced by a newer stream of the same call). */
  endPolitely(reason: string): Promise<void>;
  /** Closes everything at once, without a goodbye. */
  terminate(reason: string): void;
  /** Settles when the call has fully ended and its records are written. */
  readonly finished: Promise<void>;
}

/**
 * The calls live on this instance, by CallSid. Twilio sometimes opens a second stream for the same call: the
 * newer one wins and the older is closed, here at once, and across instances when the newer stream's claim is
 * announced (a call_stream notice with a higher generation than the stream held here). Entries leave on every
 * exit path (the session calls `remove`).
 */
@Injectable()
export class LiveCallRegistry implements OnModuleInit {
  private readonly logger = new Logger('LiveCalls');
  private readonly calls = new Map<string, LiveCall>();
  private readonly newestClaims = new Map<string, StreamIdentity>();
  /** Metrics: each stream while it is open; each call while any stream of it is. */
  private readonly streamEnds = new Map<LiveCall, EndTracking>();
  private readonly callEnds = new Map<string, EndTracking>();
  private accepting = true;
  private ready = true;

  constructor(
    private readonly metrics: MetricsService,
    private readonly notices: CacheNotices,
    private readonly owners: CallOwnershipService,
  ) {}

  onModuleInit(): void {
    this.notices.on((notice) => this.onNotice(notice));
  }

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
    if (this.superseded(call)) {
      // A newer stream of this call was claimed elsewhere before this one got here: it is the one to keep.
      call.terminate('replaced by a newer stream of the same call on another instance');
      return undefined;
    }
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
      // No stream of the call is left here: if its final status never comes, the sweep asks Twilio (DESIGN §10).
      void this.owners.streamEnded(call.callSid);
    }
  }

  list(): LiveCall[] {
    return [...this.calls.values()];
  }

  private onNotice(notice: CacheNotice): void {
    if (notice.kind !== 'call_stream') return;
    const known = this.newestClaims.get(notice.call_sid);
    if (known && known.generation >= notice.generation) return;
    this.newestClaims.delete(notice.call_sid);
    if (this.newestClaims.size >= REMEMBERED_CLAIMS) this.newestClaims.delete(this.newestClaims.keys().next().value!);
    this.newestClaims.set(notice.call_sid, { id: notice.stream_id, generation: notice.generation });
    const local = this.calls.get(notice.call_sid);
    if (local && this.superseded(local)) {
      this.logger.log({ event: 'stream_superseded', call_sid: notice.call_sid }, 'A newer stream of this call was claimed; closing the older one here');
      local.terminate('replaced by a newer stream of the same call');
    }
  }

  private superseded(call: LiveCall): boolean {
    const newest = this.newestClaims.get(call.callSid);
    return call.stream !== undefined && newest !== undefined && newest.id !== call.stream.id && newest.generation > call.stream.generation;
  }
}
