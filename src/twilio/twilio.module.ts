import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createTwilioRestClient } from './twilio-rest-client.js';
import { StreamTokenService } from './stream-token.service.js';
import { TwilioRequestValidator } from './twilio-request-validator.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';
import { TwilioWebhookMetrics } from './twilio-webhook-metrics.js';
import { TWILIO_REST_CLIENT } from './twilio.tokens.js';

@Global()
@Module({
  providers: [
    { provide: TWILIO_REST_CLIENT, inject: [AppConfig], useFactory: (config: AppConfig) => createTwilioRestClient(config) },
    TwilioRequestValidator,
    TwilioSignatureGuard,
    TwilioWebhookMetrics,
    StreamTokenService,
  ],
  exports: [TWILIO_REST_CLIENT, TwilioRequestValidator, TwilioSignatureGuard, TwilioWebhookMetrics, StreamTokenService],
})
export class TwilioModule {}
