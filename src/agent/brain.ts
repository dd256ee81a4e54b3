import type { BrainKind } from '../companies/agent-config.js';
import type { AgentContext, TurnAction, UsageEventInput } from './agent-context.js';
import type { AgentEvent, AgentTurnRequest } from './agent-turn.js';

export interface BrainTurn {
  request: AgentTurnRequest;
  context: AgentContext;
  now: Date;
  /** Unique per turn: the idempotency keys of its usage events derive from it. */
  turnUuid: string;
}

/** What the service stores about a turn once the brain is done; never sent to the channel. */
export interface TurnOutcome {
  type: 'outcome';
  action: TurnAction;
  brain: BrainKind;
  usage: UsageEventInput[];
}

export type BrainOutput = AgentEvent | TurnOutcome;

/** One contract, several brains (embedded knowledge agent, OpenAI-compatible chat). */
export abstract class Brain {
  abstract run(turn: BrainTurn): AsyncIterable<BrainOutput>;
}
