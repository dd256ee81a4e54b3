import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { effectiveVoicePath } from '../agent-session/effective-voice-path.js';
import { AuthenticatedUser } from '../auth/authenticated-user.js';
import { MembershipService } from '../auth/membership.service.js';
import { AgentConfigService } from '../companies/agent-config.service.js';
import { AppConfig } from '../config/app-config.js';
import { InvalidPhoneNumberError, normalizePhoneNumber } from '../lookup/phone-number.js';
import { PhoneNumberResolution } from '../lookup/phone-number-resolution.js';
import { PhoneNumberResolver } from '../lookup/phone-number-resolver.js';
import { AuthTestResponseDto } from './dto/auth-test-response.dto.js';
import { PhoneLookupResponseDto } from './dto/phone-lookup-response.dto.js';
import { UserCompaniesResponseDto } from './dto/user-companies.dto.js';

@Injectable()
export class DebugService {
  constructor(
    private readonly resolver: PhoneNumberResolver,
    private readonly memberships: MembershipService,
    private readonly config: AppConfig,
    private readonly agentConfigs: AgentConfigService,
  ) {}

  async lookupPhoneNumber(input: string): Promise<PhoneLookupResponseDto> {
    let normalized: string;
    try {
      normalized = normalizePhoneNumber(input);
    } catch (error) {
      if (error instanceof InvalidPhoneNumberError) throw new BadRequestException(error.message);
      throw error;
    }
    const found = await this.resolver.resolveNormalized(normalized);
    if (!found) {
      throw new NotFoundException(
        `No company has ${normalized}: it is in neither phone_numbers nor phone_number_users. ` +
          'Configure it with POST /api/phone-numbers/{phone_number}/configure.',
      );
    }
    const hints = this.hintsFor(found);
    const configured = (await this.agentConfigs.get(found.company_id)).voice_path;
    const voicePath = effectiveVoicePath(configured, this.config);
    if (voicePath.reason) hints.push(`Calls are served through ConversationRelay: ${voicePath.reason}.`);
    return {
      input,
      normalized,
      company: { id: found.company_id, name: found.company_name },
      user_id: found.user_id,
      matched_table: found.matched_table,
      webhooks: {
        state: found.webhook_state,
        voice_url: found.voice_url,
        sms_url: found.sms_url,
        status_callback_url: found.status_callback_url,
        twilio_sid: found.twilio_sid,
      },
      voice_path: { configured, effective: voicePath.path, reason: voicePath.reason },
      hints,
    };
  }

  authTest(user: AuthenticatedUser): AuthTestResponseDto {
    return {
      authenticated: true,
      user_id: user.id,
      email: user.email,
      role: user.role,
      is_admin: user.isAdmin,
      expires_at: user.expiresAt.toISOString(),
      expires_in_seconds: Math.max(0, Math.round((user.expiresAt.getTime() - Date.now()) / 1000)),
      issuer: user.issuer,
    };
  }

  async userCompanies(user: AuthenticatedUser, userId?: string): Promise<UserCompaniesResponseDto> {
    if (userId && userId !== user.id && !user.isAdmin) {
      throw new ForbiddenException("Only platform admins may look at another user's companies");
    }
    const target = userId ?? user.id;
    return { user_id: target, companies: await this.memberships.companiesOf(target) };
  }

  private hintsFor(found: PhoneNumberResolution): string[] {
    const hints: string[] = [];
    const expectedVoiceUrl = `${this.config.publicBaseUrl}/voice/incoming/${found.company_id}`;
    if (found.matched_table === 'phone_number_users') {
      hints.push('The number is only in phone_number_users: its company comes from the user link. Configure it so that it is recorded in phone_numbers.');
    }
    if (!found.user_id) hints.push('No platform user is linked to this number in phone_number_users: its costs are attributed to the company only.');
    if (found.matched_table === 'phone_numbers' && found.webhook_state !== 'configured') {
      hints.push(
        `Twilio's webhooks are not configured for this number (state: ${found.webhook_state}). Calls will not reach the agent until it is configured.`,
      );
    }
    const voiceCompany = /\/voice\/incoming\/([0-9a-f-]{36})/i.exec(found.voice_url ?? '')?.[1];
    if (voiceCompany && voiceCompany.toLowerCase() !== found.company_id.toLowerCase()) {
      hints.push(`The voice URL names company ${voiceCompany}, but the number belongs to ${found.company_id}. Reconfigure the number.`);
    } else if (found.voice_url && found.voice_url !== expectedVoiceUrl) {
      hints.push(`The voice URL is ${found.voice_url}; expected ${expectedVoiceUrl}.`);
    }
    return hints;
  }
}
