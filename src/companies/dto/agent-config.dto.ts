import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { BusinessHours } from '../business-hours.js';
import { REALTIME_VOICES, TTS_PROVIDERS } from '../voices.js';
import { CanonicalLanguage, IsBusinessHours, IsDialOutNumber, IsLanguageTag, Trim } from './validators.js';

export const VOICE_PATHS = ['conversation_relay', 'media_stream'] as const;
export const BRAINS = ['knowledge', 'openai'] as const;

const HOURS_EXAMPLE = { time_zone: 'America/Mexico_City', weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], sat: [['10:00', '14:00']] } };

/** For the documentation only: the body keeps business_hours as a plain object, validated by IsBusinessHours. */
export class BusinessHoursDto {
  @ApiProperty({ description: 'IANA time zone the hours are in', example: 'America/Mexico_City' })
  time_zone: string;

  @ApiProperty({
    description:
      'Per weekday (mon, tue, wed, thu, fri, sat, sun), opening intervals ["HH:MM", "HH:MM"] in local 24-hour time; an absent day is closed. Split overnight hours at midnight ("24:00" ends a day).',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
    example: HOURS_EXAMPLE.weekly,
  })
  weekly: Record<string, [string, string][]>;
}

/** PUT: the whole configuration. Optional fields that are omitted (or null) are cleared. */
export class PutAgentConfigDto {
  @ApiProperty({ description: "The agent's name (1 to 100 characters)", example: 'Sofía', maxLength: 100 })
  @Trim()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name: string;

  @ApiProperty({ description: 'BCP 47 language tag; es-* uses Spanish text search, en-* English', example: 'es-MX' })
  @CanonicalLanguage()
  @IsLanguageTag()
  language: string;

  @ApiPropertyOptional({
    description: 'What the agent says first (up to 1000 characters)',
    nullable: true,
    example: 'Hola, gracias por llamar. ¿En qué le puedo ayudar?',
    maxLength: 1000,
  })
  @IsOptional()
  @Trim()
  @IsString({ message: 'greeting must be a string' })
  @IsNotEmpty({ message: 'greeting must not be empty; send null to clear it' })
  @MaxLength(1000, { message: 'greeting must be at most 1000 characters' })
  greeting?: string | null;

  @ApiPropertyOptional({
    description: 'Instructions for the LLM brain (up to 8000 characters)',
    nullable: true,
    example: 'Eres la recepcionista de una clínica dental.',
    maxLength: 8000,
  })
  @IsOptional()
  @Trim()
  @IsString({ message: 'instructions must be a string' })
  @IsNotEmpty({ message: 'instructions must not be empty; send null to clear them' })
  @MaxLength(8000, { message: 'instructions must be at most 8000 characters' })
  instructions?: string | null;

  @ApiPropertyOptional({
    description:
      "ConversationRelay's text-to-speech voice, a voice of tts_provider (Google es-MX-Neural2-A, Amazon Mia-Neural, an ElevenLabs voice id); needs tts_provider",
    nullable: true,
    example: 'es-MX-Neural2-A',
    maxLength: 100,
  })
  @IsOptional()
  @Trim()
  @IsString({ message: 'voice must be a string' })
  @IsNotEmpty({ message: 'voice must not be empty; send null to clear it' })
  @MaxLength(100, { message: 'voice must be at most 100 characters' })
  voice?: string | null;

  @ApiPropertyOptional({
    description: "Twilio's text-to-speech provider for ConversationRelay, sent with voice; Twilio's default (ElevenLabs) when null",
    nullable: true,
    enum: TTS_PROVIDERS,
    example: 'Google',
  })
  @IsOptional()
  @IsIn(TTS_PROVIDERS, { message: `tts_provider must be one of ${TTS_PROVIDERS.join(', ')}` })
  tts_provider?: (typeof TTS_PROVIDERS)[number] | null;

  @ApiPropertyOptional({
    description: "The realtime (media_stream) model's voice, one of OpenAI's built-in voices; marin when null",
    nullable: true,
    enum: REALTIME_VOICES,
    example: 'marin',
  })
  @IsOptional()
  @IsIn(REALTIME_VOICES, { message: `realtime_voice must be one of OpenAI's voices: ${REALTIME_VOICES.join(', ')}` })
  realtime_voice?: (typeof REALTIME_VOICES)[number] | null;

  @ApiProperty({ description: 'How calls reach the agent', enum: VOICE_PATHS, example: 'conversation_relay' })
  @IsIn(VOICE_PATHS, { message: 'voice_path must be conversation_relay or media_stream' })
  voice_path: (typeof VOICE_PATHS)[number];

  @ApiProperty({ description: 'Which brain answers: the embedded knowledge agent or an OpenAI-compatible model', enum: BRAINS, example: 'knowledge' })
  @IsIn(BRAINS, { message: 'brain must be knowledge or openai' })
  brain: (typeof BRAINS)[number];

  @ApiPropertyOptional({ description: 'Model for the openai brain; OPENAI_MODEL when null', nullable: true, example: 'gpt-5.4-mini', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString({ message: 'model must be a string' })
  @IsNotEmpty({ message: 'model must not be empty; send null to use OPENAI_MODEL' })
  @MaxLength(100, { message: 'model must be at most 100 characters' })
  model?: string | null;

  @ApiPropertyOptional({
    description:
      'Where "talk to a person" transfers calls: E.164, a fixed-line, mobile or toll-free number (premium-rate, shared-cost and satellite numbers are refused)',
    nullable: true,
    example: '+525511112222',
  })
  @IsOptional()
  @IsDialOutNumber()
  transfer_number?: string | null;

  @ApiPropertyOptional({
    description:
      'Dialed when the agent cannot take the call: E.164, a fixed-line, mobile or toll-free number (premium-rate, shared-cost and satellite numbers are refused)',
    nullable: true,
    example: '+525533334444',
  })
  @IsOptional()
  @IsDialOutNumber()
  fallback_number?: string | null;

  @ApiPropertyOptional({
    description: 'Opening hours with their time zone; null means always open',
    nullable: true,
    type: BusinessHoursDto,
    example: HOURS_EXAMPLE,
  })
  @IsOptional()
  @IsBusinessHours()
  business_hours?: BusinessHours | null;

  @ApiPropertyOptional({ description: 'Most simultaneous calls (1 to 1000); null means no limit', nullable: true, example: 5, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IsInt({ message: 'max_concurrent_calls must be a whole number' })
  @Min(1, { message: 'max_concurrent_calls must be at least 1' })
  @Max(1000, { message: 'max_concurrent_calls must be at most 1000' })
  max_concurrent_calls?: number | null;
}

/** PATCH: any subset; null clears an optional field. */
export class PatchAgentConfigDto extends PartialType(PutAgentConfigDto) {}

export class AgentConfigResponseDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({ description: "The agent's name", example: 'Sofía' })
  name: string;

  @ApiProperty({ description: 'BCP 47 language tag', example: 'es-MX' })
  language: string;

  @ApiProperty({ description: 'What the agent says first', nullable: true, type: String, example: 'Hola, gracias por llamar.' })
  greeting: string | null;

  @ApiProperty({ description: 'Instructions for the LLM brain', nullable: true, type: String, example: 'Eres la recepcionista de una clínica dental.' })
  instructions: string | null;

  @ApiProperty({ description: "ConversationRelay's text-to-speech voice (of tts_provider)", nullable: true, type: String, example: 'es-MX-Neural2-A' })
  voice: string | null;

  @ApiProperty({ description: "Twilio's text-to-speech provider for ConversationRelay", nullable: true, enum: TTS_PROVIDERS, example: 'Google' })
  tts_provider: string | null;

  @ApiProperty({ description: "The realtime model's voice (OpenAI)", nullable: true, enum: REALTIME_VOICES, example: 'marin' })
  realtime_voice: string | null;

  @ApiProperty({ description: 'How calls reach the agent', enum: VOICE_PATHS, example: 'conversation_relay' })
  voice_path: string;

  @ApiProperty({ description: 'Which brain answers', enum: BRAINS, example: 'knowledge' })
  brain: string;

  @ApiProperty({ description: 'Model for the openai brain', nullable: true, type: String, example: 'gpt-5.4-mini' })
  model: string | null;

  @ApiProperty({ description: 'Transfer number (E.164)', nullable: true, type: String, example: '+525511112222' })
  transfer_number: string | null;

  @ApiProperty({ description: 'Fallback number (E.164)', nullable: true, type: String, example: '+525533334444' })
  fallback_number: string | null;

  @ApiProperty({ description: 'Opening hours; null means always open', nullable: true, type: BusinessHoursDto })
  business_hours: BusinessHoursDto | null;

  @ApiProperty({ description: 'Most simultaneous calls; null means no limit', nullable: true, type: Number, example: 5 })
  max_concurrent_calls: number | null;

  @ApiProperty({
    description: 'When it was last saved; null when the defaults were never changed',
    nullable: true,
    type: String,
    format: 'date-time',
    example: '2026-11-26T12:00:00.000Z',
  })
  updated_at: string | null;
}
