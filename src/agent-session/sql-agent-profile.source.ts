import { Injectable } from '@nestjs/common';
import type { StreamTokenClaims } from '../twilio/stream-token.service.js';
import { AgentProfileSource } from './agent-profile.source.js';
import { AgentSessionRepository } from './agent-session.repository.js';
import type { CallContext, KnowledgePassage } from './call-context.js';

/** Enough knowledge for the realtime model's instructions without slowing its first answer. */
const REALTIME_KNOWLEDGE_CHARS = 6000;

/** Reads the agent profile and knowledge straight from the existing tables through this module's SQL functions. */
@Injectable()
export class SqlAgentProfileSource extends AgentProfileSource {
  constructor(private readonly repository: AgentSessionRepository) {
    super();
  }

  openSession(claims: StreamTokenClaims): Promise<CallContext> {
    return this.repository.openSession(claims, claims.kind === 'media_stream' ? REALTIME_KNOWLEDGE_CHARS : 0);
  }

  searchKnowledge(companyId: string, query: string, limit = 3): Promise<KnowledgePassage[]> {
    return this.repository.searchKnowledge(companyId, query, limit);
  }
}
