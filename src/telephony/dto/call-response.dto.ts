import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CALL_STATUSES } from '../call-session.types.js';

export class CallSummaryDto {
  @ApiProperty({ description: 'Twilio call SID', example: 'CA0123456789abcdef0123456789abcdef' })
  call_sid: string;

  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({
    description: 'The platform user the dialed number belongs to',
    format: 'uuid',
    nullable: true,
    example: '00000000-0000-4000-8000-0000000000aa',
  })
  user_id: string | null;

  @ApiProperty({ description: 'The caller, E.164', nullable: true, example: '+525598765432' })
  from_number: string | null;

  @ApiProperty({ description: 'The dialed number, E.164', nullable: true, example: '+525512345678' })
  to_number: string | null;

  @ApiProperty({ description: 'inbound, outbound-api or outbound-dial', example: 'inbound' })
  direction: string;

  @ApiProperty({ description: "Twilio's latest call status", enum: CALL_STATUSES, example: 'completed' })
  status: string;

  @ApiProperty({
    description: 'What the webhook did: connected to the agent, refused (limit or hours), or not_handled (only status callbacks were seen)',
    enum: ['connected', 'refused_limit', 'refused_after_hours', 'not_handled'],
    example: 'connected',
  })
  outcome: string;

  @ApiProperty({
    description: 'The voice path the call was connected with',
    enum: ['conversation_relay', 'media_stream'],
    nullable: true,
    example: 'conversation_relay',
  })
  voice_path: string | null;

  @ApiProperty({ description: 'Whether the webhook path named another company than the one owning the dialed number', example: false })
  company_mismatch: boolean;

  @ApiProperty({ description: 'When the webhook opened the session', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  started_at: string;

  @ApiProperty({ description: 'When the call was answered', format: 'date-time', nullable: true, example: '2026-11-26T12:00:01.000Z' })
  answered_at: string | null;

  @ApiProperty({ description: 'When the call ended', format: 'date-time', nullable: true, example: '2026-11-26T12:01:16.000Z' })
  ended_at: string | null;

  @ApiProperty({ description: 'Call length in seconds, once ended', nullable: true, example: 75 })
  duration_seconds: number | null;

  @ApiProperty({ description: 'Total cost of the call in USD so far (estimates until Twilio publishes its price)', example: 0.02 })
  cost_usd: number;
}

export class CallListResponseDto {
  @ApiProperty({ description: 'Calls, newest first', type: [CallSummaryDto] })
  items: CallSummaryDto[];

  @ApiProperty({ description: 'Pass as `cursor` for the next page; null on the last page', nullable: true, example: null })
  next_cursor: string | null;
}

export class CallStatusEventDto {
  @ApiProperty({ description: 'The status Twilio reported', enum: CALL_STATUSES, example: 'ringing' })
  status: string;

  @ApiProperty({ description: "Twilio's SequenceNumber", nullable: true, example: 1 })
  sequence_number: number | null;

  @ApiProperty({ description: "Twilio's Timestamp", format: 'date-time', nullable: true, example: '2026-11-26T12:00:00.000Z' })
  event_at: string | null;

  @ApiProperty({ description: 'CallDuration, on final statuses', nullable: true, example: 75 })
  duration_seconds: number | null;

  @ApiProperty({ description: 'Whether it changed the call (a late or repeated callback does not)', example: true })
  applied: boolean;

  @ApiProperty({ description: 'When we received it', format: 'date-time', example: '2026-11-26T12:00:00.100Z' })
  received_at: string;
}

export class TranscriptTurnDto {
  @ApiProperty({ description: 'Order within the call, from 1', example: 1 })
  seq: number;

  @ApiProperty({ description: 'Who spoke', enum: ['caller', 'agent', 'system'], example: 'caller' })
  role: string;

  @ApiProperty({ description: 'What was said', example: '¿A qué hora abren?' })
  text: string;

  @ApiProperty({ description: 'Whether the caller interrupted this agent turn', example: false })
  interrupted: boolean;

  @ApiPropertyOptional({
    description: 'Latency of an agent turn in milliseconds',
    type: 'object',
    additionalProperties: { type: 'number' },
    nullable: true,
    example: { end_of_speech_to_first_output_ms: 420 },
  })
  latency: Record<string, number> | null;

  @ApiProperty({ description: 'When it was recorded', format: 'date-time', example: '2026-11-26T12:00:05.000Z' })
  created_at: string;
}

export class CallUsageEventDto {
  @ApiProperty({ description: 'Usage event id', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  id: string;

  @ApiProperty({ description: 'What was used: telephony, tokens, audio…', example: 'telephony' })
  kind: string;

  @ApiProperty({ description: 'How much', example: 2 })
  quantity: number;

  @ApiProperty({ description: 'Unit of the quantity', example: 'minute' })
  unit: string;

  @ApiProperty({ description: 'Cost in USD', example: 0.02 })
  cost_usd: number;

  @ApiProperty({ description: "estimate (rate card) or provider (the vendor's actual price)", enum: ['estimate', 'provider'], example: 'provider' })
  price_source: string;

  @ApiProperty({ description: 'When it was used', format: 'date-time', example: '2026-11-26T12:01:16.000Z' })
  occurred_at: string;
}

export class CallDetailResponseDto extends CallSummaryDto {
  @ApiProperty({ description: 'Every status callback, in Twilio order', type: [CallStatusEventDto] })
  timeline: CallStatusEventDto[];

  @ApiProperty({ description: 'The conversation', type: [TranscriptTurnDto] })
  transcript: TranscriptTurnDto[];

  @ApiProperty({ description: 'Usage events of the call', type: [CallUsageEventDto] })
  usage: CallUsageEventDto[];
}

export class UsageGroupDto {
  @ApiProperty({ description: 'The user id ("unattributed" when none), the UTC day (YYYY-MM-DD) or the kind', example: 'telephony' })
  key: string;

  @ApiProperty({ description: 'Cost in USD', example: 1.25 })
  cost_usd: number;

  @ApiProperty({ description: 'Number of usage events', example: 42 })
  event_count: number;

  @ApiProperty({ description: 'Quantities by unit', type: 'object', additionalProperties: { type: 'number' }, example: { minute: 125 } })
  quantities: Record<string, number>;
}

export class UsageSummaryResponseDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({ description: 'Start (inclusive)', format: 'date-time', example: '2026-11-01T00:00:00.000Z' })
  from: string;

  @ApiProperty({ description: 'End (exclusive)', format: 'date-time', example: '2026-12-01T00:00:00.000Z' })
  to: string;

  @ApiProperty({ description: 'The grouping', enum: ['user', 'day', 'kind'], example: 'kind' })
  group_by: string;

  @ApiProperty({ description: 'Currency of every amount', example: 'USD' })
  currency: string;

  @ApiProperty({ description: 'Total cost in USD', example: 1.25 })
  total_cost_usd: number;

  @ApiProperty({ description: 'Number of usage events', example: 42 })
  event_count: number;

  @ApiProperty({ description: 'Events still priced by the rate card, not yet by the provider', example: 3 })
  estimated_event_count: number;

  @ApiProperty({ description: 'Costs per group, ordered by key', type: [UsageGroupDto] })
  groups: UsageGroupDto[];
}
