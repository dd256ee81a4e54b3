import { Module } from '@nestjs/common';
import { LookupModule } from '../lookup/lookup.module.js';
import { BundleDocumentsService } from './bundle-documents.service.js';
import { BundleMonitor } from './bundle-monitor.js';
import { BundleStatusController } from './bundle-status.controller.js';
import { BundleSyncService } from './bundle-sync.service.js';
import { BundlesController } from './bundles.controller.js';
import { BundlesService } from './bundles.service.js';
import { DebugBundlesController } from './debug-bundles.controller.js';
import { NumberPurchaseService } from './number-purchase.service.js';
import { PhoneNumbersController } from './phone-numbers.controller.js';
import { PhoneNumbersService } from './phone-numbers.service.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { TwilioProvisioningClient } from './twilio-provisioning.client.js';

@Module({
  // SchedulerRegistry comes from ScheduleModule.forRoot() in AppModule (global).
  imports: [LookupModule],
  controllers: [BundlesController, PhoneNumbersController, BundleStatusController, DebugBundlesController],
  providers: [
    ProvisioningRepository,
    TwilioProvisioningClient,
    BundleDocumentsService,
    BundleSyncService,
    NumberPurchaseService,
    BundlesService,
    PhoneNumbersService,
    BundleMonitor,
  ],
  exports: [BundleMonitor],
})
export class ProvisioningModule {}
