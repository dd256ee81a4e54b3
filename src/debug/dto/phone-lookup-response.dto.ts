import { ApiProperty } from '@nestjs/swagger';

export class CompanyRefDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  id: string;

  @ApiProperty({ description: 'Company name', example: 'Demo Clínica Dental' })
  name: string;
}

export class WebhookConfigurationDto {
  @ApiProperty({
    description: 'Whether Twilio was set to send this number to us',
    enum: ['not_configured', 'configured', 'drifted'],
    nullable: true,
    example: 'configured',
  })
  state: string | null;

  @ApiProperty({
    description: 'The voice webhook recorded for the number',
    nullable: true,
    example: 'https://api.example.com/voice/incoming/00000000-0000-4000-8000-000000000001',
  })
  voice_url: string | null;

  @ApiProperty({ description: 'The messaging webhook recorded for the number', nullable: true, example: 'https://api.example.com/whatsapp/webhook' })
  sms_url: string | null;

  @ApiProperty({ description: 'The status callback recorded for the number', nullable: true, example: 'https://api.example.com/voice/status' })
  status_callback_url: string | null;

  @ApiProperty({ description: 'Twilio IncomingPhoneNumber SID', nullable: true, example: 'PN0123456789abcdef0123456789abcdef' })
  twilio_sid: string | null;
}

export class VoicePathDto {
  @ApiProperty({ description: "The company's configured voice path", enum: ['conversation_relay', 'media_stream'], example: 'media_stream' })
  configured: string;

  @ApiProperty({ description: 'The path calls are actually served on', enum: ['conversation_relay', 'media_stream'], example: 'conversation_relay' })
  effective: string;

  @ApiProperty({ description: 'Why the two differ; null when they do not', nullable: true, type: String, example: null })
  reason: string | null;
}

export class PhoneLookupResponseDto {
  @ApiProperty({ description: 'The number as given', example: 'whatsapp:+5215512345678' })
  input: string;

  @ApiProperty({ description: 'The number in E.164', example: '+525512345678' })
  normalized: string;

  @ApiProperty({ description: 'The company that owns the number', type: CompanyRefDto })
  company: CompanyRefDto;

  @ApiProperty({
    description: 'The platform user the number belongs to (cost attribution)',
    nullable: true,
    format: 'uuid',
    example: '00000000-0000-4000-8000-0000000000aa',
  })
  user_id: string | null;

  @ApiProperty({
    description: 'Which table matched: phone_numbers decides the company, phone_number_users is the fallback',
    enum: ['phone_numbers', 'phone_number_users'],
    example: 'phone_numbers',
  })
  matched_table: string;

  @ApiProperty({ description: "The number's webhook configuration", type: WebhookConfigurationDto })
  webhooks: WebhookConfigurationDto;

  @ApiProperty({ description: "How the company's calls are served", type: VoicePathDto })
  voice_path: VoicePathDto;

  @ApiProperty({ description: 'Plain-language hints when something looks wrong; empty when all is well', type: [String], example: [] })
  hints: string[];
}

/** A whole answer for a well-configured number, shown in the docs (typed, so it follows the DTO). */
export const PHONE_LOOKUP_EXAMPLE: PhoneLookupResponseDto = {
  input: 'whatsapp:+5215512345678',
  normalized: '+525512345678',
  company: { id: '00000000-0000-4000-8000-000000000001', name: 'Demo Clínica Dental' },
  user_id: '00000000-0000-4000-8000-0000000000aa',
  matched_table: 'phone_numbers',
  webhooks: {
    state: 'configured',
    voice_url: 'https://api.example.com/voice/incoming/00000000-0000-4000-8000-000000000001',
    sms_url: 'https://api.example.com/whatsapp/webhook',
    status_callback_url: 'https://api.example.com/voice/status',
    twilio_sid: 'PN0123456789abcdef0123456789abcdef',
  },
  voice_path: { configured: 'conversation_relay', effective: 'conversation_relay', reason: null },
  hints: [],
};
