import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Length } from 'class-validator';

export class ConfigurePhoneNumberParamDto {
  @ApiProperty({ description: 'The number, in international form (URL-encode the +)', example: '+525512345678' })
  @Length(3, 64)
  phone_number: string;
}

export class ConfigurePhoneNumberDto {
  @ApiProperty({ description: 'The company the number is for', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  @IsUUID('all', { message: 'company_id must be a UUID' })
  company_id: string;
}

export class ListPhoneNumbersQueryDto {
  @ApiProperty({ description: 'The company whose numbers to list', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  @IsUUID('all', { message: 'company_id must be a UUID' })
  company_id: string;
}

export class PhoneNumberConfigurationDto {
  @ApiProperty({ description: 'The number in E.164', example: '+525512345678' })
  phone_number: string;

  @ApiProperty({ description: 'The company it belongs to', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({ description: 'Twilio IncomingPhoneNumber SID', nullable: true, example: 'PN0123456789abcdef0123456789abcdef' })
  twilio_sid: string | null;

  @ApiProperty({ description: 'The bundle it was bought with', nullable: true, format: 'uuid', example: null })
  bundle_id: string | null;

  @ApiProperty({ description: 'Voice webhook', nullable: true, example: 'https://api.example.com/voice/incoming/00000000-0000-4000-8000-000000000001' })
  voice_url: string | null;

  @ApiProperty({ description: 'Messaging webhook', nullable: true, example: 'https://api.example.com/whatsapp/webhook' })
  sms_url: string | null;

  @ApiProperty({ description: 'Call status callback', nullable: true, example: 'https://api.example.com/voice/status' })
  status_callback_url: string | null;

  @ApiProperty({
    description: "not_configured, configured (Twilio's URLs set to ours) or drifted (they no longer match)",
    enum: ['not_configured', 'configured', 'drifted'],
    example: 'configured',
  })
  webhook_state: string;

  @ApiProperty({ description: 'When the webhooks were last set', nullable: true, format: 'date-time', example: '2026-11-26T10:00:00Z' })
  webhooks_configured_at: string | null;

  @ApiProperty({ description: 'Platform users linked to the number (cost attribution)', type: [String], example: [] })
  user_ids: string[];
}

export class TwilioUrlsDto {
  @ApiProperty({
    description: "Twilio's voice URL now",
    nullable: true,
    example: 'https://api.example.com/voice/incoming/00000000-0000-4000-8000-000000000001',
  })
  voice_url: string | null;

  @ApiProperty({ description: "Twilio's SMS URL now", nullable: true, example: 'https://api.example.com/whatsapp/webhook' })
  sms_url: string | null;

  @ApiProperty({ description: "Twilio's status callback now", nullable: true, example: 'https://api.example.com/voice/status' })
  status_callback_url: string | null;
}

export class PhoneNumberStateDto extends PhoneNumberConfigurationDto {
  @ApiProperty({ description: 'The URLs Twilio should have for this number', type: TwilioUrlsDto })
  expected: TwilioUrlsDto;

  @ApiProperty({ description: 'What Twilio has now; null when the number has no SID or Twilio could not be asked', type: TwilioUrlsDto, nullable: true })
  twilio: TwilioUrlsDto | null;

  @ApiProperty({ description: "Whether Twilio's URLs match ours; null when unknown", nullable: true, example: true })
  urls_match: boolean | null;

  @ApiProperty({ description: 'Why Twilio could not be asked', nullable: true, example: null })
  twilio_error: string | null;
}

/** A whole answer of POST /api/phone-numbers/{phone_number}/configure, shown in the docs (typed, so it follows the DTO). */
export const PHONE_NUMBER_CONFIGURATION_EXAMPLE: PhoneNumberConfigurationDto = {
  phone_number: '+525512345678',
  company_id: '00000000-0000-4000-8000-000000000001',
  twilio_sid: 'PN0123456789abcdef0123456789abcdef',
  bundle_id: null,
  voice_url: 'https://api.example.com/voice/incoming/00000000-0000-4000-8000-000000000001',
  sms_url: 'https://api.example.com/whatsapp/webhook',
  status_callback_url: 'https://api.example.com/voice/status',
  webhook_state: 'configured',
  webhooks_configured_at: '2026-11-26T10:00:00Z',
  user_ids: ['00000000-0000-4000-8000-0000000000aa'],
};
