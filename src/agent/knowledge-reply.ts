import { isWithinBusinessHours } from '../companies/business-hours.js';
import type { KnowledgeHit } from '../companies/knowledge.types.js';
import type { AgentContext, TurnAction } from './agent-context.js';
import type { AgentChannel, AgentEvent } from './agent-turn.js';
import { detectIntent } from './intents.js';
import { describeHours, langOf, PHRASES } from './phrases.js';

const PENDING_MS = 30 * 60_000;

export interface KnowledgeReply {
  text: string;
  action: TurnAction;
  /** In order: the text first, then any action (transfer, end_call, message_taken). */
  events: AgentEvent[];
}

/**
 * When a passage answers a question: it contains at least half of the question's words, or two of them.
 * Below that, a passage that merely shares a word ("cita" in "¿cómo cancelo mi cita?" and an unrelated entry) is
 * not read out as an answer.
 */
export function isGoodMatch(hit: KnowledgeHit | undefined): hit is KnowledgeHit {
  return Boolean(hit && (hit.coverage >= 0.5 || hit.matched_terms >= 2));
}

/** Spoken and texted answers stay short: the passage up to about 600 characters, cut at a sentence end. */
export function shorten(text: string, max = 600): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
  return end > max / 3 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
}

/**
 * The embedded knowledge agent: deterministic, no network. Reads the intent of the input in the light of the last
 * agent turn (an offered transfer, a message being taken), then answers from the best passage or hands off.
 */
export function knowledgeReply(context: AgentContext, input: { text: string; channel: AgentChannel; now: Date }): KnowledgeReply {
  const { config, passages, history } = context;
  const p = PHRASES[langOf(config.language)];
  const open = isWithinBusinessHours(config.business_hours, input.now);
  const closedNotice = open ? '' : p.closed(config.business_hours ? describeHours(config.business_hours, langOf(config.language)) : '');
  const lastAgent = [...history].reverse().find((turn) => turn.role === 'agent');
  const firstContact = !lastAgent;
  // An offer or a request for a message is answered soon or not at all: a texter back the next day starts afresh.
  const pending = lastAgent && input.now.getTime() - Date.parse(lastAgent.created_at) < PENDING_MS ? lastAgent.action : null;
  const intent = detectIntent(input.text);
  const reply = (action: TurnAction, parts: string[], extra: AgentEvent[] = []): KnowledgeReply => {
    const text = parts.filter(Boolean).join(' ');
    return { text, action, events: [{ type: 'text', text }, ...extra] };
  };

  const handOff = (): KnowledgeReply => {
    if (config.transfer_number && open) {
      if (input.channel === 'voice') return reply('transfer', [p.transferring], [{ type: 'transfer', reason: 'caller asked for a person' }]);
      return reply('handoff', [p.callUs(config.transfer_number)]);
    }
    return reply('take_message', [closedNotice, p.takeMessage]);
  };

  if (pending === 'take_message' && intent !== 'goodbye' && intent !== 'repeat' && input.text.trim() !== '') {
    return reply('message_taken', [p.messageTaken], [{ type: 'message_taken', message: input.text.trim() }]);
  }
  switch (intent) {
    case 'goodbye':
      return reply('end_call', [p.goodbye], [{ type: 'end_call', reason: 'caller said goodbye' }]);
    case 'repeat':
      return lastAgent ? reply('repeat', [lastAgent.text]) : reply('greeting', [config.greeting ?? p.greeting(config.name)]);
    case 'person':
      return handOff();
    case 'affirm':
      if (pending === 'offer_transfer') return handOff();
      break;
    case 'deny':
      if (pending === 'offer_transfer') return reply('anything_else', [p.anythingElse]);
      break;
    case 'greeting':
      return reply('greeting', [config.greeting ?? p.greeting(config.name), firstContact ? closedNotice : '']);
    default:
      break;
  }

  const best = passages[0];
  if (isGoodMatch(best)) return reply('answer', [firstContact ? closedNotice : '', shorten(best.content)]);
  if (config.transfer_number && open) return reply('offer_transfer', [p.noAnswer, p.offerTransfer]);
  return reply('take_message', [p.noAnswer, closedNotice, p.leaveMessage]);
}
