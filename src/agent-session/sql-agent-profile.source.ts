import { Injectable } from '@nestjs/common';
import { KnowledgeService } from '../companies/knowledge.service.js';
import type { StreamTokenClaims } from '../twilio/stream-token.service.js';
import { AgentProfileSource } from './agent-profile.source.js';
import { AgentSessionRepository } from './agent-session.repository.js';
import type { CallContext, KnowledgePassage } from './call-context.js';

/** Enough knowledge for the realtime model's instructions without slowing its first answer. */
const REALTIME_KNOWLEDGE_CHARS = 6000;

/** The agent profile from this module's session function; knowledge search from the companies module. */
@Injectable()
export class SqlAgentProfileSource extends AgentProfileSource {
  constructor(
    private readonly repository: AgentSessionRepository,
    private readonly knowledge: KnowledgeService,
  ) {
    super();
  }

  openSession(claims: StreamTokenClaims): Promise<CallContext> {
    return this.repository.openSession(claims, claims.kind === 'media_stream' ? REALTIME_KNOWLEDGE_CHARS : 0);
  }

  async searchKnowledge(companyId: string, query: string, limit = 3): Promise<KnowledgePassage[]> {
    const { results } = await this.knowledge.search(companyId, query, limit);
    return results.map((hit) => ({ title: hit.title, content: hit.content, rank: hit.score }));
  }
}
