import { Injectable, Logger } from '@nestjs/common';
import { CallOwnersRepository } from './call-owners.repository.js';
import { InstanceIdentity } from './instance-identity.js';

/** The instance that accepted a call's WebSocket records itself as the call's owner (DESIGN §10). */
@Injectable()
export class CallOwnershipService {
  private readonly logger = new Logger('CallOwnership');

  constructor(
    private readonly identity: InstanceIdentity,
    private readonly owners: CallOwnersRepository,
  ) {}

  /**
   * Never throws and is not awaited on the call path: the caller hears the agent whether or not it was recorded.
   * A claim that failed leaves the session unowned, and the reconciliation treats it as never connected: it asks
   * Twilio, which says the call is in progress, and only its concurrent-call place is given up.
   */
  async claim(callSid: string): Promise<boolean> {
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
