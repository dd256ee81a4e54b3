import { Injectable, Logger } from '@nestjs/common';
import { effectiveVoicePath } from '../agent-session/effective-voice-path.js';
import { AppConfig } from '../config/app-config.js';
import { maskPhoneNumber } from '../lookup/phone-number.js';
import { StreamTokenService } from '../twilio/stream-token.service.js';
import { TwilioRequestValidator } from '../twilio/twilio-request-validator.js';
import { checkBusinessHours } from './business-hours.js';
import { CompanyFallbackCache } from './company-fallback-cache.js';
import { CallSessionRepository } from './call-session.repository.js';
import { CallOutcome, OpenedCallSession } from './call-session.types.js';
import { bindLogContext } from '../logging/log-context.js';
import { TelephonyMetrics } from './telephony-metrics.js';
import { field, isUuid, isValidCallSid, phoneField, TwilioForm } from './twilio-form.js';
import { apologyTwiml, connectTwiml, refusalTwiml } from './voice-twiml.js';

/**
 * The whole answer (lookup, session write, TwiML) has this long; after it the caller gets the apology, so a hung
 * database never keeps Twilio waiting past its own 15 s timeout (DESIGN §9: the apology within 3 s).
 */
export const INCOMING_CALL_DEADLINE_MS = 2_500;

const STREAM_PATHS = { conversation_relay: '/conversation-relay', media_stream: '/media-stream' } as const;

/**
 * `POST /voice/incoming/{company_id}`: opens the call session in one database round trip and answers TwiML that
 * connects the caller to the company's agent, or refuses politely. It never throws: whatever fails, the caller
 * hears an apology (in the company's language when known) and is put through to the fallback number when one is set.
 */
@Injectable()
export class IncomingCallService {
  private readonly logger = new Logger('IncomingCall');

  constructor(
    private readonly sessions: CallSessionRepository,
    private readonly tokens: StreamTokenService,
    private readonly urls: TwilioRequestValidator,
    private readonly metrics: TelephonyMetrics,
    private readonly fallbacks: CompanyFallbackCache,
    private readonly appConfig: AppConfig,
  ) {}

  async handle(pathCompanyId: string, body: TwilioForm): Promise<string> {
    const companyId = isUuid(pathCompanyId) ? pathCompanyId.toLowerCase() : null;
    const callSid = field(body, 'CallSid');
    try {
      if (!isValidCallSid(callSid)) throw new Error('The incoming-call webhook carried no valid CallSid');
      // Every line of this request from here on (the "request completed" one too) carries the call.
      bindLogContext({ call_sid: callSid });
      return await withDeadline(INCOMING_CALL_DEADLINE_MS, async () => {
        const opened = await this.sessions.open({
          callSid,
          to: phoneField(body, 'To'),
          from: phoneField(body, 'From'),
          pathCompanyId: companyId,
          direction: field(body, 'Direction'),
          accountSid: field(body, 'AccountSid'),
        });
        if ('company_id' in opened) bindLogContext({ company_id: opened.company_id });
        return this.answer(callSid, opened, body);
      });
    } catch (error) {
      this.metrics.increment('calls_apologised');
      const known = this.fallbacks.get(companyId);
      this.logger.error(
        { event: 'incoming_call_failed', call_sid: callSid, path_company_id: companyId, err: error, fallback_dialed: Boolean(known?.fallback_number) },
        'Incoming call failed; answering with an apology',
      );
      return apologyTwiml(known?.language, known?.fallback_number);
    }
  }

  private async answer(callSid: string, opened: OpenedCallSession, body: TwilioForm): Promise<string> {
    if (opened.outcome === 'unknown_company') {
      this.metrics.increment('calls_apologised');
      this.logger.warn(
        { event: 'incoming_call_unknown_company', call_sid: callSid, to: maskPhoneNumber(field(body, 'To')), path_company_id: opened.path_company_id },
        'Neither the dialed number nor the webhook path names a known company',
      );
      return apologyTwiml(undefined);
    }
    const { config } = opened;
    this.fallbacks.remember(opened.company_id, { language: config.language, fallback_number: config.fallback_number });
    if (opened.company_mismatch && opened.created) {
      this.metrics.increment('company_mismatch');
      this.logger.warn(
        {
          event: 'incoming_call_company_mismatch',
          call_sid: callSid,
          to: maskPhoneNumber(opened.to_number),
          company_id: opened.company_id,
          path_company_id: opened.path_company_id,
        },
        'The dialed number belongs to another company than the webhook path names; the number decides. Reconfigure the number.',
      );
    }

    let outcome: CallOutcome = opened.outcome;
    if (outcome === 'connected' || outcome === 'not_handled') {
      const hours = checkBusinessHours(config.business_hours, new Date());
      if (hours.reason === 'invalid_configuration') {
        this.logger.warn(
          { event: 'business_hours_invalid', company_id: opened.company_id, problem: hours.problem },
          'Business hours cannot be read; the line stays open',
        );
      }
      // A new session is stored already refused after hours (open_call_session decides, so it never counts as live);
      // a session that existed before this webhook (a retry, or one a status callback stored first) is decided here.
      if (!hours.open && !opened.created) {
        await this.sessions.refuse(callSid, 'refused_after_hours');
        outcome = 'refused_after_hours';
      }
    }

    const log = { call_sid: callSid, company_id: opened.company_id, outcome, retried: !opened.created, configured_voice_path: config.voice_path };
    if (outcome === 'refused_limit' || outcome === 'refused_after_hours') {
      this.metrics.increment(outcome === 'refused_limit' ? 'calls_refused_limit' : 'calls_refused_after_hours');
      this.logger.log(
        { event: 'incoming_call_refused', ...log },
        outcome === 'refused_limit' ? 'Refused: concurrent-call limit reached' : 'Refused: outside business hours',
      );
      return refusalTwiml(outcome === 'refused_limit' ? 'limit' : 'after_hours', config.language);
    }

    const voicePath = effectiveVoicePath(config.voice_path, this.appConfig);
    if (voicePath.downgraded) {
      this.logger.warn(
        { event: 'voice_path_downgraded', call_sid: callSid, company_id: opened.company_id, reason: voicePath.reason },
        'Serving the call through ConversationRelay',
      );
    }
    const kind = voicePath.path;
    const twiml = connectTwiml({
      kind,
      streamUrl: this.urls.publicUrl(STREAM_PATHS[kind], 'ws'),
      actionUrl: this.urls.publicUrl('/voice/connect-action'),
      token: this.tokens.issue(callSid, opened.company_id, kind, undefined, undefined, {
        user_id: opened.user_id,
        from: opened.from_number,
        to: opened.to_number,
      }),
      language: config.language,
      greeting: config.greeting,
      voice: config.voice,
      ttsProvider: config.tts_provider,
    });
    this.metrics.increment('calls_connected');
    this.logger.log(
      { event: 'call_opened', ...log, from: maskPhoneNumber(opened.from_number), matched_table: opened.matched_table },
      'Call connected to the agent',
    );
    return twiml;
  }
}

async function withDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The incoming-call answer took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
