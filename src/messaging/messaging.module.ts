import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module.js';
import { CompaniesModule } from '../companies/companies.module.js';
import { LookupModule } from '../lookup/lookup.module.js';
import { MessagingRepository } from './messaging.repository.js';
import { MessagingService } from './messaging.service.js';
import { WhatsappWebhookController } from './whatsapp-webhook.controller.js';

/** `POST /whatsapp/webhook`: SMS and WhatsApp answered by the agent. */
@Module({
  imports: [AgentModule, CompaniesModule, LookupModule],
  controllers: [WhatsappWebhookController],
  providers: [MessagingRepository, MessagingService],
})
export class MessagingModule {}
