import { Body, Controller, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces } from '@nestjs/swagger';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { TwilioWebhook } from '../twilio/twilio-webhook.decorator.js';
import { CallStatusService } from './call-status.service.js';
import { ConnectActionService } from './connect-action.service.js';
import { CallStatusWebhookDto, ConnectActionWebhookDto, IncomingCallWebhookDto } from './dto/twilio-voice-webhook.dto.js';
import { IncomingCallService } from './incoming-call.service.js';
import type { TwilioForm } from './twilio-form.js';
import { connectTwiml, transferTwiml } from './voice-twiml.js';

/**
 * TwiML answers with examples made by the same builders the routes use. The example sits on the media type, not
 * the schema: Swagger UI shows a media-type example as it is, while from a string schema it tries to build XML.
 */
const twimlResponse = (description: string, example: string) => ({ description, content: { 'text/xml': { schema: { type: 'string' }, example } } });
const INCOMING_TWIML = twimlResponse(
  "TwiML connecting the call to the company's agent (here ConversationRelay; Media Streams uses <Stream>), or an apology",
  connectTwiml({
    kind: 'conversation_relay',
    streamUrl: 'wss://voice.example.com/conversation-relay',
    actionUrl: 'https://voice.example.com/voice/connect-action',
    token: '<single-use stream token>',
    language: 'es-MX',
    greeting: 'Hola, gracias por llamar. ¿En qué le puedo ayudar?',
  }),
);
const ACTION_TWIML = twimlResponse('TwiML: dial the transfer number after a hand-off, otherwise hang up', transferTwiml('+525512345679', 'es-MX'));

// The bodies are read as plain records, not whitelisting DTOs: Twilio adds fields, and all of them are signed.
@Controller('voice')
@TwilioWebhook()
export class VoiceWebhookController {
  constructor(
    private readonly incoming: IncomingCallService,
    private readonly connectAction: ConnectActionService,
    private readonly statuses: CallStatusService,
  ) {}

  @Post('incoming/:company_id')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @ApiOperation({ summary: "Twilio's incoming-call webhook: TwiML connecting the caller to the company's agent; never a 5xx" })
  @ApiParam({
    name: 'company_id',
    description: 'The company the number was configured for; the dialed number decides when it is known',
    example: '00000000-0000-4000-8000-000000000001',
  })
  @ApiBody({ type: IncomingCallWebhookDto })
  @ApiProduces('text/xml')
  @ApiOkResponse(INCOMING_TWIML)
  handleIncomingCall(@Param('company_id') companyId: string, @Body() body: TwilioForm): Promise<string> {
    return this.incoming.handle(companyId, body);
  }

  @Post('connect-action')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @ApiOperation({ summary: "Twilio's <Connect action> callback: a hand-off asking for a person dials the transfer number; otherwise hang up" })
  @ApiBody({ type: ConnectActionWebhookDto })
  @ApiProduces('text/xml')
  @ApiOkResponse(ACTION_TWIML)
  handleConnectAction(@Body() body: TwilioForm): Promise<string> {
    return this.connectAction.handle(body);
  }

  @Post('status')
  @HttpCode(204)
  @ApiOperation({ summary: "Twilio's call status callback: idempotent and tolerant of reordering; a final status closes the call and records its cost" })
  @ApiBody({ type: CallStatusWebhookDto })
  @ApiNoContentResponse({ description: 'Recorded (or recognised as a repeat)' })
  @ApiBadRequestResponse({ description: 'No CallSid or an unknown CallStatus', type: ApiErrorDto })
  recordCallStatus(@Body() body: TwilioForm): Promise<void> {
    return this.statuses.record(body);
  }
}
