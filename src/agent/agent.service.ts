import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentConfigService } from '../companies/agent-config.service.js';
import { isWithinBusinessHours } from '../companies/business-hours.js';
import { maskPhoneNumber } from '../lookup/phone-number.js';
import { AgentRepository } from './agent.repository.js';
import type { TurnOutcome } from './brain.js';
import type { AgentEvent, AgentTurnRequest } from './agent-turn.js';
import { KnowledgeBrain } from './knowledge.brain.js';
import { OpenAiBrain } from './openai.brain.js';
import { langOf, PHRASES } from './phrases.js';

/** Passages handed to a brain per turn, and how much history it sees. */
const PASSAGES = 3;
const HISTORY_TURNS = 12;
/** A conversation picks up where it left off within this window; older turns are not shown to the brain. */
const HISTORY_HOURS = 24;

export interface AgentGreeting {
  text: string;
  /** BCP 47 */
  language: string;
  voice: string | null;
  within_business_hours: boolean;
}

/**
 * The agent for every channel: a turn in, a stream of text and actions out (src/agent/agent-turn.ts). Loads the
 * configuration, passages and history in one round trip, runs the company's brain, then stores the turn pair and
 * its usage in the contact's conversation.
 */
@Injectable()
export class AgentService {
  private readonly logger = new Logger('Agent');

  constructor(
    private readonly repository: AgentRepository,
    private readonly configs: AgentConfigService,
    private readonly knowledge: KnowledgeBrain,
    private readonly openai: OpenAiBrain,
  ) {}

  async *respond(request: AgentTurnRequest): AsyncGenerator<AgentEvent> {
    const context = await this.repository.context(
      request.companyId,
      request.channel,
      request.contact,
      request.callSid ?? null,
      request.text,
      PASSAGES,
      HISTORY_TURNS,
      HISTORY_HOURS,
    );
    const brain = context.config.brain === 'openai' ? this.openai : this.knowledge;
    const turn = { request, context, now: new Date(), turnUuid: randomUUID() };
    let answer = '';
    let outcome: TurnOutcome | undefined;
    let tookMessage = false;
    for await (const output of brain.run(turn)) {
      if (request.signal?.aborted) return;
      if (output.type === 'outcome') {
        outcome = output;
        continue;
      }
      if (output.type === 'text') answer += output.text;
      if (output.type === 'message_taken') tookMessage = true;
      yield output;
    }
    // Barge-in or hang-up: nothing more is recorded for this turn.
    if (request.signal?.aborted) return;
    try {
      await this.repository.recordTurns({
        companyId: request.companyId,
        channel: request.channel,
        contact: request.contact,
        userId: request.userId ?? null,
        callSid: request.callSid ?? null,
        turnKey: request.turnId ?? null,
        turns: [
          { role: 'user', text: request.text },
          // A turn that took a message is stored as such whatever the brain (the openai brain reports `llm`):
          // the database records the message (the user turn's text) and its event from this action.
          { role: 'agent', text: answer, action: tookMessage ? 'message_taken' : (outcome?.action ?? null), brain: outcome?.brain ?? null },
        ],
        usage: outcome?.usage ?? [],
      });
    } catch (error) {
      // The caller already has the answer; a lost history line must not turn into an error for them.
      this.logger.error(
        { event: 'agent_turn_not_stored', company_id: request.companyId, contact: maskPhoneNumber(request.contact), err: error },
        'Could not store the turn',
      );
    }
  }

  /** What the agent says first on a call, in which language and voice. */
  async greeting(companyId: string, now: Date = new Date()): Promise<AgentGreeting> {
    const config = await this.configs.get(companyId);
    return {
      text: config.greeting ?? PHRASES[langOf(config.language)].greeting(config.name),
      language: config.language,
      voice: config.voice,
      within_business_hours: isWithinBusinessHours(config.business_hours, now),
    };
  }
}
