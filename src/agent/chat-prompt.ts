import { isWithinBusinessHours } from '../companies/business-hours.js';
import type { AgentContext } from './agent-context.js';
import type { AgentChannel } from './agent-turn.js';
import { describeHours, langOf } from './phrases.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The tools the model may call; their effects are AgentEvents. */
export const CHAT_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'transfer_call',
      description: 'Transfer the caller to a person at the company. Use when they ask for a human or you cannot help.',
      parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why the caller is transferred' } }, required: ['reason'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'end_call',
      description: 'End the conversation after saying goodbye, when the caller is done.',
      parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why the conversation ends' } }, required: ['reason'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'take_message',
      description: "Record a message for the company, with the caller's name and how to reach them if they gave them.",
      parameters: {
        type: 'object',
        properties: { message: { type: 'string', description: 'The message, in the words of the caller' } },
        required: ['message'],
      },
    },
  },
] as const;

/** System prompt from the configuration and the best passages, then the history and the new input. */
export function buildChatMessages(context: AgentContext, text: string, channel: AgentChannel, now: Date): ChatMessage[] {
  const { config, passages, history } = context;
  const lang = langOf(config.language);
  const open = isWithinBusinessHours(config.business_hours, now);
  const lines = [
    `You are ${config.name}, the assistant who answers this company's ${channel === 'voice' ? 'phone calls' : 'text messages'}.`,
    `Always reply in the language ${config.language}${lang === 'es' ? ' (Spanish)' : ''}.`,
    channel === 'voice'
      ? 'This is a phone call: answer in one to three short spoken sentences, with no lists, links or formatting.'
      : 'This is a text message: answer briefly, in at most three sentences.',
    config.business_hours
      ? `Business hours (${config.business_hours.time_zone}): ${describeHours(config.business_hours, lang)}. The company is ${open ? 'open' : 'closed'} now.`
      : '',
    config.transfer_number && open && channel === 'voice'
      ? 'You can transfer the caller to a person with transfer_call.'
      : 'Nobody is available for a transfer: offer to take a message with take_message instead.',
    'Answer only from the company knowledge below. If it does not contain the answer, say so and offer to take a message.',
    config.instructions ? `Company instructions:\n${config.instructions}` : '',
    passages.length > 0
      ? `Company knowledge:\n${passages.map((p, i) => `[${i + 1}] ${p.title}\n${p.content}`).join('\n\n')}`
      : 'Company knowledge: nothing matches this question.',
  ];
  return [
    { role: 'system', content: lines.filter(Boolean).join('\n') },
    ...history.map((turn): ChatMessage => ({ role: turn.role === 'agent' ? 'assistant' : 'user', content: turn.text })),
    { role: 'user', content: text },
  ];
}
