import { Module } from '@nestjs/common';
import { AgentConfigController } from './agent-config.controller.js';
import { AgentConfigService } from './agent-config.service.js';
import { CompaniesController } from './companies.controller.js';
import { CompaniesRepository } from './companies.repository.js';
import { CompaniesService } from './companies.service.js';
import { KnowledgeController } from './knowledge.controller.js';
import { KnowledgeService } from './knowledge.service.js';

/** Companies and members, the agent configuration and the knowledge base. Exports the configuration and search. */
@Module({
  controllers: [CompaniesController, AgentConfigController, KnowledgeController],
  providers: [CompaniesRepository, CompaniesService, AgentConfigService, KnowledgeService],
  exports: [AgentConfigService, KnowledgeService],
})
export class CompaniesModule {}
