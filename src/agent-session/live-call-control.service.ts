import { BadGatewayException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { AgentSessionRepository } from './agent-session.repository.js';
import { CallControlService } from './call-control.service.js';
import type { CallControlAction, CallControlResponseDto } from './dto/call-control.dto.js';

/** Twilio's statuses of a call that is over. */
const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
/** Twilio's answer when the call is no longer in progress (404, or 21220 "Call is not in-progress"). */
const TWILIO_CALL_OVER_CODES: ReadonlySet<number> = new Set([20404, 21220]);

/**
 * Supervisors' control of a live call (`POST .../calls/{call_sid}/hangup|transfer`): through Twilio's REST API, so it
 * works whichever instance holds the call's stream. Twilio replacing the call's TwiML ends the `<Connect>` stream;
 * the instance that holds it then closes its session as on any stop. Why the call ended is recorded on its
 * transcript (`hangup_by_api`, `transferred_by_api`) once Twilio has taken the update, never before.
 */
@Injectable()
export class LiveCallControlService {
  private readonly logger = new Logger('LiveCallControl');

  constructor(
    private readonly repository: AgentSessionRepository,
    private readonly control: CallControlService,
  ) {}

  async hangup(tenant: Tenant, callSid: string): Promise<CallControlResponseDto> {
    await this.requireLive(tenant, callSid);
    await this.viaTwilio(callSid, 'hangup', () => this.control.hangup(callSid));
    await this.record(tenant, callSid, 'hangup_by_api');
    return { call_sid: callSid, action: 'hangup', to: null };
  }

  async transfer(tenant: Tenant, callSid: string, to: string): Promise<CallControlResponseDto> {
    await this.requireLive(tenant, callSid);
    await this.viaTwilio(callSid, 'transfer', () => this.control.transfer(callSid, to));
    await this.record(tenant, callSid, `transferred_by_api: ${to}`);
    return { call_sid: callSid, action: 'transfer', to };
  }

  /** A call of another company reads as unknown (404); a call that is over is 409. */
  private async requireLive(tenant: Tenant, callSid: string): Promise<void> {
    const call = await this.repository.companyCall(tenant.companyId, callSid);
    if (!call) throw new NotFoundException(`Company ${tenant.companyId} has no call ${callSid}`);
    if (call.ended_at !== null || FINAL_STATUSES.has(call.status)) {
      throw new ConflictException(`Call ${callSid} has already ended (${call.status}); only a live call can be controlled`);
    }
  }

  private async viaTwilio(callSid: string, action: CallControlAction, update: () => Promise<void>): Promise<void> {
    try {
      await update();
    } catch (error) {
      const { status, code } = error as { status?: number; code?: number };
      this.logger.warn({ event: 'call_control_failed', call_sid: callSid, action, twilio_status: status, twilio_code: code }, 'Twilio did not take the call update');
      if (status === 404 || (code !== undefined && TWILIO_CALL_OVER_CODES.has(code))) {
        throw new ConflictException(`Call ${callSid} is no longer in progress at Twilio; nothing was changed`);
      }
      throw new BadGatewayException(`Twilio did not take the ${action} of call ${callSid}; nothing was changed, try again`);
    }
  }

  private async record(tenant: Tenant, callSid: string, text: string): Promise<void> {
    this.logger.log({ event: 'call_controlled_by_api', call_sid: callSid, action: text.split(':')[0], user_id: tenant.user.id }, 'Live call controlled through the API');
    // Twilio already acted: failing to write the note must not turn the answer into an error.
    await this.repository
      .appendTranscript(callSid, tenant.companyId, { role: 'system', text })
      .catch((error: Error) => this.logger.warn({ event: 'call_control_note_failed', call_sid: callSid, err: error.message }, 'Could not record why the call ended'));
  }
}
