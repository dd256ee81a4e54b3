import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module.js';
import { AgentRepository } from './agent.repository.js';
import { AgentService } from './agent.service.js';
import { InboxController } from './inbox.controller.js';
import { InboxService } from './inbox.service.js';
import { KnowledgeBrain } from './knowledge.brain.js';
import { OpenAiBrain } from './openai.brain.js';

/** The brains, the conversations and the messages taken (GET .../messages, .../conversations). Exports AgentService (respond, greeting). */
@Module({
  imports: [CompaniesModule],
  controllers: [InboxController],
  providers: [AgentRepository, KnowledgeBrain, OpenAiBrain, AgentService, InboxService],
  exports: [AgentService],
})
export class AgentModule {}
