import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Documentation only: the form fields Twilio posts to the voice webhooks. Handlers read the raw form, because
 * Twilio adds fields over time and every field takes part in the signature.
 */
export class IncomingCallWebhookDto {
  @ApiProperty({ description: 'The call SID', example: 'CA0123456789abcdef0123456789abcdef' })
  CallSid: string;

  @ApiProperty({ description: 'The Twilio account SID', example: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' })
  AccountSid: string;

  @ApiProperty({ description: 'The caller, E.164', example: '+525598765432' })
  From: string;

  @ApiProperty({ description: 'The dialed number, E.164: it decides the company', example: '+525512345678' })
  To: string;

  @ApiPropertyOptional({ description: 'Call status at the time of the webhook', example: 'ringing' })
  CallStatus?: string;

  @ApiPropertyOptional({ description: 'inbound, outbound-api or outbound-dial', example: 'inbound' })
  Direction?: string;
}

export class ConnectActionWebhookDto {
  @ApiProperty({ description: 'The call SID', example: 'CA0123456789abcdef0123456789abcdef' })
  CallSid: string;

  @ApiPropertyOptional({ description: 'ConversationRelay session result: ended, failed or completed', example: 'ended' })
  SessionStatus?: string;

  @ApiPropertyOptional({
    description: 'The JSON string the agent passed when ending the session; reasonCode "live-agent-handoff" asks for a person',
    example: '{"reasonCode":"live-agent-handoff","reason":"The caller asked for a person"}',
  })
  HandoffData?: string;

  @ApiPropertyOptional({ description: 'Twilio error code when the session failed', example: '39001' })
  ErrorCode?: string;
}

export class CallStatusWebhookDto {
  @ApiProperty({ description: 'The call SID', example: 'CA0123456789abcdef0123456789abcdef' })
  CallSid: string;

  @ApiProperty({
    description: 'The call status',
    enum: ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'],
    example: 'completed',
  })
  CallStatus: string;

  @ApiPropertyOptional({ description: 'Order of the callbacks of one call, from 0', example: '3' })
  SequenceNumber?: string;

  @ApiPropertyOptional({ description: 'When the status changed, RFC 2822', example: 'Sat, 03 Dec 2022 14:46:36 +0000' })
  Timestamp?: string;

  @ApiPropertyOptional({ description: 'Call length in seconds, on the final status', example: '75' })
  CallDuration?: string;

  @ApiPropertyOptional({ description: 'The dialed number', example: '+525512345678' })
  To?: string;

  @ApiPropertyOptional({ description: 'ISO country of the dialed number; chooses the rate', example: 'MX' })
  ToCountry?: string;
}
