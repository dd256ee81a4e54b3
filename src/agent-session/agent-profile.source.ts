import type { StreamTokenClaims } from '../twilio/stream-token.service.js';
import type { CallContext, KnowledgePassage } from './call-context.js';

/**
 * Where a call's agent profile and knowledge come from. Opening a session also claims the stream token (single
 * use across instances), in the same database round trip.
 */
export abstract class AgentProfileSource {
  /** Claims `claims.jti` for the call and loads its context; rejects a token that was already used. */
  abstract openSession(claims: StreamTokenClaims): Promise<CallContext>;
  abstract searchKnowledge(companyId: string, query: string, limit?: number): Promise<KnowledgePassage[]>;
}
