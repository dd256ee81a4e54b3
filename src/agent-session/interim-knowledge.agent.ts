import { Injectable } from '@nestjs/common';
import type { AgentEvent, AgentTurnRequest } from '../agent/agent-turn.js';
import { AgentProfileSource } from './agent-profile.source.js';
import { VoiceAgent } from './voice-agent.js';

const PERSON = /\b(persona|humano|human|person|agente|agent|operador|operator|representative|representante|alguien)\b/i;
const GOODBYE = /\b(adi[oó]s|hasta luego|bye|goodbye|eso es todo|that'?s all)\b/i;

/**
 * A deterministic stand-in for issue 3's AgentService so that the gateways work on their own (npm start with no keys):
 * the best knowledge passage, a hand-off when the caller asks for a person, goodbye. Replaced at integration by
 * binding VoiceAgent to AgentService (see agent-session.module.ts).
 */
@Injectable()
export class InterimKnowledgeAgent extends VoiceAgent {
  constructor(private readonly profiles: AgentProfileSource) {
    super();
  }

  async *respond(request: AgentTurnRequest): AsyncIterable<AgentEvent> {
    // Spanish unless the caller clearly speaks English (the demo company and most callers here are es-MX).
    const spanish =
      !/\b(the|what|how|where|when|want|please|can|could|speak|talk|hello|hi|person|human)\b/i.test(request.text) || /[áéíóúñ¿¡]/.test(request.text);
    if (PERSON.test(request.text)) {
      yield { type: 'text', text: spanish ? 'Con gusto, le comunico con una persona.' : 'Sure, let me connect you with a person.' };
      yield { type: 'transfer', reason: 'The caller asked for a person' };
      return;
    }
    if (GOODBYE.test(request.text)) {
      yield { type: 'text', text: spanish ? 'Gracias por llamar. ¡Hasta luego!' : 'Thank you for calling. Goodbye!' };
      yield { type: 'end_call', reason: 'The caller said goodbye' };
      return;
    }
    const [best] = await this.profiles.searchKnowledge(request.companyId, request.text, 1);
    if (request.signal?.aborted) return;
    if (best) {
      // Sentence by sentence, as a streaming brain would: the caller hears the first one sooner.
      for (const sentence of best.content.match(/[^.!?]+[.!?]*\s*/g) ?? [best.content]) {
        if (request.signal?.aborted) return;
        yield { type: 'text', text: sentence };
      }
      return;
    }
    yield {
      type: 'text',
      text: spanish
        ? 'No tengo esa información. Si quiere, le comunico con una persona: diga "persona" o marque cero.'
        : 'I do not have that information. If you like, I can connect you with a person: say "person" or press zero.',
    };
  }
}
