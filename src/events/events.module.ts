import { Module } from '@nestjs/common';
import { CompanyEventsRepository } from './company-events.repository.js';
import { EventStreamController } from './event-stream.controller.js';
import { EventStreamService } from './event-stream.service.js';
import { WebhookController } from './webhook.controller.js';
import { WebhookDeliveryJob } from './webhook-delivery.job.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookSettingsService } from './webhook-settings.service.js';

/**
 * The company's event outbox (sql/0100: events written by triggers in the transaction of the fact they report):
 * signed webhook deliveries (Standard Webhooks) and the live stream. Needs ScheduleModule.forRoot() in the app.
 */
@Module({
  controllers: [WebhookController, EventStreamController],
  providers: [CompanyEventsRepository, WebhookSender, WebhookSettingsService, WebhookDeliveryService, WebhookDeliveryJob, EventStreamService],
  exports: [WebhookDeliveryService],
})
export class EventsModule {}
