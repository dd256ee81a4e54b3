import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * For the documentation only: Twilio's inbound message webhook fields we read. The handler takes the form as a
 * plain record (Twilio adds fields over time; unknown ones are accepted) and validates what it uses.
 */
export class InboundMessageDto {
  @ApiProperty({ description: 'The sender: +E.164 for SMS, whatsapp:+E.164 for WhatsApp', example: 'whatsapp:+5215512345678' })
  From: string;

  @ApiProperty({ description: 'Our number that received the message', example: 'whatsapp:+525512345678' })
  To: string;

  @ApiPropertyOptional({ description: 'The text of the message', example: '¿A qué hora abren?' })
  Body?: string;

  @ApiPropertyOptional({ description: 'How many media items are attached', example: '0' })
  NumMedia?: string;

  @ApiProperty({ description: 'Twilio message SID', example: 'SM0123456789abcdef0123456789abcdef' })
  MessageSid: string;

  @ApiPropertyOptional({ description: 'Twilio account SID', example: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' })
  AccountSid?: string;
}
