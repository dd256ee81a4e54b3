import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CallOwnershipService } from '../call-owners/call-ownership.service.js';
import { InvalidStreamTokenError, StreamKind, StreamTokenService } from '../twilio/stream-token.service.js';
import { TwilioRequestValidator } from '../twilio/twilio-request-validator.js';
import { CacheNotices } from '../coherence/cache-notices.service.js';
import { AgentProfileSource } from './agent-profile.source.js';
import { AgentSessionRepository } from './agent-session.repository.js';
import type { CallContext } from './call-context.js';
import { LiveCallRegistry } from './live-calls.registry.js';

export class StreamRejectedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StreamRejectedError';
  }
}

/**
 * Who may open a stream: a valid upgrade signature where Twilio sent one, then the session token from the stream's
 * custom parameters (signature, expiry, kind, CallSid), then its single-use claim in the database. Nothing is
 * opened towards a provider before all of that has passed.
 */
@Injectable()
export class StreamAdmissionService {
  private readonly logger = new Logger('StreamAdmission');

  constructor(
    private readonly tokens: StreamTokenService,
    private readonly validator: TwilioRequestValidator,
    private readonly profiles: AgentProfileSource,
    private readonly calls: LiveCallRegistry,
    private readonly repository: AgentSessionRepository,
    private readonly notices: CacheNotices,
    private readonly owners: CallOwnershipService,
  ) {}

  /** Checked on connection: `x-twilio-signature` over the `wss://` URL with no parameters, when present. */
  upgradeAllowed(request: IncomingMessage): boolean {
    if (!this.calls.isAccepting()) return false;
    const signature = request.headers['x-twilio-signature'];
    if (signature === undefined) return true;
    if (typeof signature !== 'string') return false;
    return this.validator.isValidForm(this.validator.publicUrl(request.url ?? '/', 'ws'), signature, {});
  }

  async admit(kind: StreamKind, token: unknown, callSid: unknown): Promise<CallContext> {
    let claims;
    try {
      claims = this.tokens.verify(token);
    } catch (error) {
      throw new StreamRejectedError(error instanceof InvalidStreamTokenError ? error.message : 'invalid token');
    }
    if (claims.kind !== kind) throw new StreamRejectedError(`token was issued for ${claims.kind}`);
    if (typeof callSid !== 'string' || claims.call_sid !== callSid) throw new StreamRejectedError('token was issued for another call');
    let context: CallContext;
    try {
      context = await this.profiles.openSession(claims);
      // This instance holds the call's WebSocket from now on (DESIGN §10); recorded off the call path.
      void this.owners.claim(claims.call_sid);
    } catch (error) {
      const code = (error as { code?: string }).code;
      this.logger.warn({ event: 'stream_session_refused', call_sid: callSid, code }, 'Could not open the call session');
      throw new StreamRejectedError(code === '23505' ? 'token already used' : 'session could not be opened');
    }
    return { ...context, stream: await this.claimCall(callSid, claims.jti) };
  }

  /**
   * One live stream per call, whichever instance holds it: the newest stream claims the call in the database (the
   * arbiter across instances) and the claim's notice makes the holder of an older stream close it (LiveCallRegistry).
   * Newest wins because a second stream means Twilio (re)connected: the older socket is the one it has given up on.
   * A claim that cannot be written leaves the stream running (this instance still keeps one stream per call).
   */
  private async claimCall(callSid: string, streamId: string): Promise<CallContext['stream']> {
    try {
      const claim = await this.repository.claimStream(callSid, streamId);
      if (claim.replaced_stream_id) this.logger.log({ event: 'stream_replaced', call_sid: callSid }, 'A newer stream took over the call');
      // The database sends this notice itself on SQL transports; Redis carries it on the rpc transport.
      this.notices.publish({ kind: 'call_stream', call_sid: callSid, stream_id: streamId, generation: Number(claim.generation) });
      return { id: streamId, generation: Number(claim.generation) };
    } catch (error) {
      this.logger.warn({ event: 'stream_claim_failed', call_sid: callSid, err: (error as Error).message }, "Could not record the stream as the call's live one");
      return undefined;
    }
  }
}
