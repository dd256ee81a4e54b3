import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { AppConfig } from '../config/app-config.js';
import { InvalidPhoneNumberError, maskPhoneNumber, normalizePhoneNumber } from '../lookup/phone-number.js';
import { PhoneNumberResolver } from '../lookup/phone-number-resolver.js';
import { PhoneNumberConfigurationDto, PhoneNumberStateDto } from './dto/phone-number.dto.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { TwilioProvisioningClient } from './twilio-provisioning.client.js';
import { TwilioFailure } from './twilio-failure.js';
import { webhookUrlsFor } from './webhook-urls.js';

/** Numbers already in the Twilio account: pointing them at us, and checking they still are. */
@Injectable()
export class PhoneNumbersService {
  private readonly logger = new Logger('PhoneNumbers');

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly twilio: TwilioProvisioningClient,
    private readonly resolver: PhoneNumberResolver,
    private readonly config: AppConfig,
  ) {}

  /**
   * Checks first (number format, who may configure it, presence in the account), then Twilio, then our record,
   * which is written only if the number's owner is still the one the check saw.
   */
  async configure(tenant: Tenant, rawNumber: string): Promise<PhoneNumberConfigurationDto> {
    const { companyId } = tenant;
    const platformAdmin = tenant.role === 'platform_admin';
    let e164: string;
    try {
      e164 = normalizePhoneNumber(rawNumber);
    } catch (error) {
      if (error instanceof InvalidPhoneNumberError) throw new BadRequestException(error.message);
      throw error;
    }
    const { expected_company_id: expected } = await this.repository.checkNumberConfiguration(e164, companyId, platformAdmin);
    const incoming = await this.twilio.findIncomingByNumber(e164).catch((e: unknown) => {
      throw TwilioFailure.from('find the number in the account', e).toHttp();
    });
    if (!incoming) throw new NotFoundException(`${e164} is not in the Twilio account; buy it (or port it) first`);
    const updated = await this.twilio.updateWebhooks(incoming.sid, webhookUrlsFor(this.config, companyId)).catch((e: unknown) => {
      throw TwilioFailure.from('update the number', e).toHttp();
    });
    const record = await this.repository.recordNumberConfiguration(e164, companyId, expected, updated, platformAdmin);
    this.resolver.invalidate(e164);
    this.logger.log({ event: 'phone_number_configured', company_id: companyId, phone_number: maskPhoneNumber(e164) }, 'Number configured');
    return record;
  }

  /** The company's numbers with whether Twilio's URLs still match ours (asked live; drift is recorded). */
  async list(tenant: Tenant): Promise<PhoneNumberStateDto[]> {
    const { companyId } = tenant;
    const numbers = await this.repository.listCompanyNumbers(companyId);
    return Promise.all(
      numbers.map(async (n) => {
        const urls = webhookUrlsFor(this.config, companyId);
        const expected = { voice_url: urls.voiceUrl, sms_url: urls.smsUrl, status_callback_url: urls.statusCallback };
        if (!n.twilio_sid) return { ...n, expected, twilio: null, urls_match: null, twilio_error: null };
        try {
          const live = await this.twilio.fetchIncoming(n.twilio_sid);
          const twilio = { voice_url: live.voice_url, sms_url: live.sms_url, status_callback_url: live.status_callback };
          const match =
            twilio.voice_url === expected.voice_url && twilio.sms_url === expected.sms_url && twilio.status_callback_url === expected.status_callback_url;
          const record = n.webhook_state === 'not_configured' ? n : await this.repository.setWebhookState(n.phone_number, match ? 'configured' : 'drifted');
          return { ...record, expected, twilio, urls_match: match, twilio_error: null };
        } catch (error) {
          return { ...n, expected, twilio: null, urls_match: null, twilio_error: TwilioFailure.from('fetch the number', error).message };
        }
      }),
    );
  }
}
