import type { AgentEvent, AgentTurnRequest } from '../agent/agent-turn.js';

/**
 * The brain the voice gateways talk to: one caller turn in, a stream of text and actions out (the contract of
 * `src/agent/agent-turn.ts`). An abstract class so that it is the DI token; `agent-session.module.ts` binds it.
 */
export abstract class VoiceAgent {
  abstract respond(request: AgentTurnRequest): AsyncIterable<AgentEvent>;
}
