import type { AgentConfig } from '../companies/agent-config.js';
import type { KnowledgeHit } from '../companies/knowledge.types.js';

export interface HistoryTurn {
  role: 'user' | 'agent';
  text: string;
  /** What the agent did with its turn (see TurnAction). */
  action: string | null;
  created_at: string;
}

/** What `get_agent_context` loads for a turn in one round trip. */
export interface AgentContext {
  config: AgentConfig;
  passages: KnowledgeHit[];
  /** Oldest first. */
  history: HistoryTurn[];
}

export type TurnAction =
  | 'greeting'
  | 'answer'
  | 'no_answer'
  | 'offer_transfer'
  | 'take_message'
  | 'message_taken'
  | 'transfer'
  | 'handoff'
  | 'end_call'
  | 'repeat'
  | 'anything_else'
  | 'media_unsupported'
  | 'llm';

export interface UsageEventInput {
  kind: string;
  quantity: number;
  unit: string;
  idempotency_key: string;
  cost_usd?: number;
}
