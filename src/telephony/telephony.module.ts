import { Module } from '@nestjs/common';
import { CallHistoryService } from './call-history.service.js';
import { CallReconciliationJob } from './call-reconciliation.job.js';
import { CallReconciliationService } from './call-reconciliation.service.js';
import { CallSessionRepository } from './call-session.repository.js';
import { CallStatusService } from './call-status.service.js';
import { CallsController } from './calls.controller.js';
import { CompanyFallbackCache } from './company-fallback-cache.js';
import { ConnectActionService } from './connect-action.service.js';
import { IncomingCallService } from './incoming-call.service.js';
import { LedgerRepository } from './ledger.repository.js';
import { PriceBackfillJob } from './price-backfill.job.js';
import { PriceBackfillService } from './price-backfill.service.js';
import { TelephonyMetrics } from './telephony-metrics.js';
import { TwilioCallPriceClient } from './twilio-call-price.client.js';
import { TwilioCallStatusClient } from './twilio-call-status.client.js';
import { VoiceWebhookController } from './voice-webhook.controller.js';

/**
 * Voice webhooks, call sessions, status callbacks and the cost ledger. Needs ScheduleModule.forRoot() in the app
 * (the price backfill registers its interval with the SchedulerRegistry).
 */
@Module({
  controllers: [VoiceWebhookController, CallsController],
  providers: [
    CallSessionRepository,
    LedgerRepository,
    IncomingCallService,
    ConnectActionService,
    CallStatusService,
    CallHistoryService,
    CompanyFallbackCache,
    TelephonyMetrics,
    TwilioCallPriceClient,
    PriceBackfillService,
    PriceBackfillJob,
    TwilioCallStatusClient,
    CallReconciliationService,
    CallReconciliationJob,
  ],
  exports: [TelephonyMetrics, PriceBackfillService, CallReconciliationService],
})
export class TelephonyModule {}
