import { Injectable, Logger } from '@nestjs/common';
import { CallOwnersRepository } from './call-owners.repository.js';
import { InstanceIdentity } from './instance-identity.js';

/** The instance that accepted a call's WebSocket records itself as the call's owner (DESIGN §10). */
@Injectable()
export class CallOwnershipService {
  private readonly logger = new Logger('CallOwnership');
  private readonly pendingClaims = new Map<string, Promise<boolean>>();

  constructor(
    private readonly identity: InstanceIdentity,
    private readonly owners: CallOwnersRepository,
  ) {}

  /**
   * Never throws and is not awaited on the call path: the caller hears the agent whether or not it was recorded.
   * A claim that failed leaves the session unowned, and the reconciliation treats it as never connected: it asks
   * Twilio, which says the call is in progress, and only its concurrent-call place is given up.
   */
  claim(callSid: string): Promise<boolean> {
    const claim = this.recordClaim(callSid);
    this.pendingClaims.set(callSid, claim);
    void claim.finally(() => {
      if (this.pendingClaims.get(callSid) === claim) this.pendingClaims.delete(callSid);
    });
    return claim;
  }

  /**
   * This instance's stream of the call ended. Without a final status soon after, the sweep asks Twilio about the
   * call even though this instance still beats (a lost status callback must not leave the call live). Written after
   * the call's own claim, which is not awaited on the call path and could otherwise land last and undo it.
   */
  async streamEnded(callSid: string): Promise<void> {
    await this.pendingClaims.get(callSid);
    try {
      await this.owners.streamEnded(callSid, this.identity.id);
    } catch (error) {
      // The sweep still reaches the call when this instance stops beating (or after the 4-hour cap on live calls).
      this.logger.warn({ event: 'call_stream_end_not_recorded', call_sid: callSid, err: error }, 'Could not record the end of the call stream');
    }
  }

  private async recordClaim(callSid: string): Promise<boolean> {
    try {
      const { owned } = await this.owners.claimCall(callSid, this.identity.id);
      if (!owned) this.logger.warn({ event: 'call_owner_not_recorded', call_sid: callSid }, 'The session had already ended; no owner recorded');
      return owned;
    } catch (error) {
      this.logger.warn({ event: 'call_owner_claim_failed', call_sid: callSid, err: error }, 'Could not record this instance as the call owner');
      return false;
    }
  }
}
