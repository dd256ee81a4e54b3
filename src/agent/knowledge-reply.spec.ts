import type { AgentContext } from './agent-context.js';
import { isGoodMatch, knowledgeReply, shorten } from './knowledge-reply.js';

const config = {
  company_id: 'c',
  name: 'Max',
  language: 'en-US',
  greeting: null,
  instructions: null,
  voice: null,
  tts_provider: null,
  realtime_voice: null,
  voice_path: 'conversation_relay' as const,
  brain: 'knowledge' as const,
  model: null,
  transfer_number: null,
  fallback_number: null,
  business_hours: null,
  max_concurrent_calls: null,
  updated_at: null,
};
const hit = (coverage: number, matched: number) => ({ id: 'e', title: 't', content: 'The answer.', tags: [], score: 1, coverage, matched_terms: matched });

describe('knowledgeReply', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it('takes the next input as the message only while the request is recent', () => {
    const history = (minutesAgo: number): AgentContext['history'] => [
      { role: 'agent', text: 'Please leave a message', action: 'take_message', created_at: new Date(now.getTime() - minutesAgo * 60_000).toISOString() },
    ];
    expect(knowledgeReply({ config, passages: [], history: history(5) }, { text: 'Call me back', channel: 'sms', now }).action).toBe('message_taken');
    expect(knowledgeReply({ config, passages: [], history: history(120) }, { text: 'Call me back', channel: 'sms', now }).action).toBe('take_message');
  });

  it('answers only from passages that match well enough', () => {
    expect(isGoodMatch(hit(0.5, 1))).toBe(true);
    expect(isGoodMatch(hit(0.25, 2))).toBe(true);
    expect(isGoodMatch(hit(0.25, 1))).toBe(false);
    expect(knowledgeReply({ config, passages: [hit(0.2, 1)], history: [] }, { text: 'a b c d e', channel: 'sms', now }).action).toBe('take_message');
  });

  it('shortens long passages at a sentence end', () => {
    const long = `${'First sentence is here. '.repeat(30)}`;
    const out = shorten(long, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.endsWith('.')).toBe(true);
  });
});
