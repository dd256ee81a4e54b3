import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { TwilioWebhook } from '../twilio/twilio-webhook.decorator.js';
import { InboundMessageDto } from './inbound-message.dto.js';
import { MessagingService } from './messaging.service.js';

@Controller('whatsapp')
export class WhatsappWebhookController {
  constructor(private readonly messaging: MessagingService) {}

  // The body is a plain record on purpose: Twilio adds fields over time, and a whitelisting DTO would refuse them.
  @Post('webhook')
  @HttpCode(200)
  @TwilioWebhook()
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @ApiOperation({ summary: 'Twilio inbound SMS and WhatsApp message: answers with TwiML <Message> from the agent' })
  @ApiBody({ type: InboundMessageDto })
  @ApiProduces('text/xml')
  @ApiOkResponse({
    description: 'TwiML: <Response><Message>…</Message></Response>, or <Response/> for a number no company has',
    content: { 'text/xml': { schema: { type: 'string' } } },
  })
  receiveMessage(@Body() form: Record<string, string>): Promise<string> {
    return this.messaging.reply(form);
  }
}
