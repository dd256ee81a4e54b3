import { Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import type { AgentChannel } from '../agent/agent-turn.js';
import { AgentService } from '../agent/agent.service.js';
import { langOf, PHRASES } from '../agent/phrases.js';
import { AgentConfigService } from '../companies/agent-config.service.js';
import { InvalidPhoneNumberError, maskPhoneNumber, normalizePhoneNumber } from '../lookup/phone-number.js';
import { PhoneNumberResolver } from '../lookup/phone-number-resolver.js';
import { MessagingRepository } from './messaging.repository.js';

/** Twilio concatenates up to 1600 characters into one SMS; WhatsApp allows more, but a reply stays readable. */
const MAX_REPLY = 1600;
const MAX_INPUT = 2000;

/**
 * SMS and WhatsApp: the company by the number written to, the agent's answer as TwiML `<Message>`. Twilio gets TwiML
 * whatever happens: an empty `<Response/>` for a number that is not ours, an apology if the agent fails.
 */
@Injectable()
export class MessagingService {
  private readonly logger = new Logger('Messaging');

  constructor(
    private readonly resolver: PhoneNumberResolver,
    private readonly agent: AgentService,
    private readonly configs: AgentConfigService,
    private readonly repository: MessagingRepository,
  ) {}

  async reply(form: Record<string, string>): Promise<string> {
    const from = field(form, 'From');
    const to = field(form, 'To');
    const messageSid = field(form, 'MessageSid') || field(form, 'SmsSid');
    const channel: AgentChannel = /^whatsapp:/i.test(from) || /^whatsapp:/i.test(to) ? 'whatsapp' : 'sms';
    const company = await this.resolve(to);
    if (!company) {
      this.logger.warn({ event: 'message_unknown_number', to: maskPhoneNumber(to), message_sid: messageSid }, 'A message came to a number no company has');
      return new twilio.twiml.MessagingResponse().toString();
    }
    const contact = contactOf(from);
    const text = field(form, 'Body').trim().slice(0, MAX_INPUT);
    const media = Number.parseInt(field(form, 'NumMedia') || '0', 10) || 0;
    const log = { company_id: company.company_id, channel, from: maskPhoneNumber(contact), message_sid: messageSid };

    let answer: string;
    try {
      // Twilio retries a webhook it got no answer to in time: a message already answered gets the same reply.
      const stored = messageSid ? await this.repository.storedReply(company.company_id, channel, contact, messageSid) : null;
      if (stored !== null) {
        answer = stored;
        this.logger.log({ event: 'message_redelivered', ...log }, 'Answered a redelivered message with the stored reply');
      } else if (text === '' && media > 0) {
        const config = await this.configs.get(company.company_id);
        answer = PHRASES[langOf(config.language)].mediaOnly;
      } else {
        answer = '';
        for await (const event of this.agent.respond({
          companyId: company.company_id,
          channel,
          contact,
          text,
          userId: company.user_id,
          turnId: messageSid || undefined,
        })) {
          if (event.type === 'text') answer += event.text;
        }
      }
      this.logger.log({ event: 'message_answered', ...log, media }, 'Answered a message');
    } catch (error) {
      this.logger.error({ event: 'message_failed', ...log, err: error }, 'The agent failed to answer a message');
      answer = `${PHRASES.es.apology} / ${PHRASES.en.apology}`;
    }
    await this.recordUsage(company.company_id, company.user_id, channel, messageSid, answer !== '');

    const response = new twilio.twiml.MessagingResponse();
    if (answer) response.message(shorten(answer));
    return response.toString();
  }

  private async resolve(to: string): Promise<{ company_id: string; user_id: string | null } | null> {
    try {
      return to ? await this.resolver.resolve(to) : null;
    } catch (error) {
      if (error instanceof InvalidPhoneNumberError) return null;
      throw error;
    }
  }

  /** One event per message, inbound and our reply; keyed by MessageSid so that Twilio's retries count once. */
  private async recordUsage(companyId: string, userId: string | null, channel: AgentChannel, messageSid: string, replied: boolean): Promise<void> {
    const key = messageSid || `unsigned:${Date.now()}:${Math.random()}`;
    const events = [{ kind: `${channel}_message_inbound`, quantity: 1, unit: 'message', idempotency_key: `message:${key}:inbound` }];
    if (replied) events.push({ kind: `${channel}_message_outbound`, quantity: 1, unit: 'message', idempotency_key: `message:${key}:outbound` });
    try {
      await this.repository.recordUsage(companyId, userId, events);
    } catch (error) {
      this.logger.error({ event: 'message_usage_not_recorded', company_id: companyId, message_sid: messageSid, err: error }, 'Could not record message usage');
    }
  }
}

function field(form: Record<string, string>, name: string): string {
  const value: unknown = form[name];
  return typeof value === 'string' ? value : '';
}

/** The texter in E.164 (whatsapp:+521… becomes +52…); anything else (short codes, alphanumeric senders) as sent. */
function contactOf(from: string): string {
  try {
    return normalizePhoneNumber(from);
  } catch {
    return from.replace(/^(whatsapp|sms):/i, '').slice(0, 64) || 'unknown';
  }
}

function shorten(text: string): string {
  return text.length <= MAX_REPLY ? text : `${text.slice(0, MAX_REPLY - 1)}…`;
}
