import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module.js';
import { AgentRepository } from './agent.repository.js';
import { AgentService } from './agent.service.js';
import { KnowledgeBrain } from './knowledge.brain.js';
import { OpenAiBrain } from './openai.brain.js';

/** The brains and the conversations. Exports AgentService (respond, greeting). */
@Module({
  imports: [CompaniesModule],
  providers: [AgentRepository, KnowledgeBrain, OpenAiBrain, AgentService],
  exports: [AgentService],
})
export class AgentModule {}
