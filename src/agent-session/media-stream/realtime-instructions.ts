import type { CallContext } from '../call-context.js';
import type { RealtimeSessionConfig, RealtimeTool } from '../realtime/realtime-voice.provider.js';

export const REALTIME_TOOLS: RealtimeTool[] = [
  {
    name: 'transfer_call',
    description: 'Transfer the caller to a person at the company. Use it when the caller asks for a person or you cannot help. Say a short sentence first.',
    parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why the caller is being transferred' } }, required: ['reason'] },
  },
  {
    name: 'end_call',
    description: 'Hang up after saying goodbye, when the caller is done.',
    parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why the call ends' } }, required: ['reason'] },
  },
  {
    name: 'take_message',
    description:
      'Take a message for the company when nobody can help the caller now. Ask for their name and message first; call it once, then confirm to the caller that the message was taken.',
    parameters: {
      type: 'object',
      properties: {
        message: { type: 'string', description: "The caller's message, with their name, in their own words" },
        callback_number: { type: 'string', description: 'The number to call back, only if the caller gives one other than the number they call from' },
      },
      required: ['message'],
    },
  },
  {
    name: 'search_knowledge',
    description: "Search the company's knowledge base for facts to answer the caller. Answer only from what it returns.",
    parameters: { type: 'object', properties: { query: { type: 'string', description: 'What the caller wants to know' } }, required: ['query'] },
  },
];

/** OpenAI's recommended voice for telephony when the company names none. */
const DEFAULT_VOICE = 'marin';

/** The company's instructions, the facts it gave us and the call rules, for the speech-to-speech model. */
export function realtimeSessionConfig(call: CallContext): RealtimeSessionConfig {
  const { profile } = call;
  const parts = [
    profile.instructions?.trim() || `You are ${profile.name}, the phone assistant of ${call.company_name}.`,
    `Speak ${profile.language} unless the caller speaks another language. Keep answers short: this is a phone call.`,
    'Answer only from the company knowledge below or from search_knowledge; if you do not know, say so and offer a person.',
    profile.transfer_number
      ? 'When the caller asks for a person, call transfer_call.'
      : 'No person can take calls now: offer to take a message with take_message instead of a transfer.',
  ];
  if (call.knowledge.length > 0) {
    parts.push('Company knowledge:', ...call.knowledge.map((entry) => `- ${entry.title ? `${entry.title}: ` : ''}${entry.content}`));
  }
  return { instructions: parts.join('\n'), voice: profile.realtime_voice || DEFAULT_VOICE, language: profile.language, tools: REALTIME_TOOLS };
}
