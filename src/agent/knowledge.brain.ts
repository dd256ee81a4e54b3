import { Injectable } from '@nestjs/common';
import { Brain, BrainOutput, BrainTurn } from './brain.js';
import { knowledgeReply } from './knowledge-reply.js';

/** The embedded default: answers from the company's passages, no network. */
@Injectable()
export class KnowledgeBrain extends Brain {
  async *run(turn: BrainTurn): AsyncGenerator<BrainOutput> {
    const reply = knowledgeReply(turn.context, { text: turn.request.text, channel: turn.request.channel, now: turn.now });
    yield* reply.events;
    yield { type: 'outcome', action: reply.action, brain: 'knowledge', usage: [] };
  }
}
