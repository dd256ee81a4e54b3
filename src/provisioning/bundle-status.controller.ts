import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation } from '@nestjs/swagger';
import { TwilioWebhook } from '../twilio/twilio-webhook.decorator.js';
import { BundlesService } from './bundles.service.js';

@Controller('provisioning/bundles')
export class BundleStatusController {
  constructor(private readonly bundles: BundlesService) {}

  /** Twilio adds parameters over time: the body is read as a plain record, never whitelisted. */
  @Post('status')
  @HttpCode(204)
  @TwilioWebhook()
  @ApiOperation({ summary: "Twilio's bundle status callback: a trigger to re-read the bundle from Twilio" })
  @ApiNoContentResponse({ description: 'Received' })
  handleBundleStatus(@Body() body: Record<string, string>): Promise<void> {
    return this.bundles.handleStatusCallback(body);
  }
}
