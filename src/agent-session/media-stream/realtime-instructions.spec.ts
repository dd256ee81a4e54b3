import type { CallContext } from '../call-context.js';
import { realtimeSessionConfig } from './realtime-instructions.js';

const call = (profile: Partial<CallContext['profile']>): CallContext => ({
  call_sid: 'CA00000000000000000000000000000000',
  company_id: 'c',
  company_name: 'Clínica',
  user_id: null,
  from_number: null,
  to_number: null,
  knowledge: [],
  profile: {
    name: 'Sofía',
    language: 'es-MX',
    greeting: null,
    instructions: null,
    voice: null,
    tts_provider: null,
    realtime_voice: null,
    voice_path: 'media_stream',
    transfer_number: null,
    fallback_number: null,
    ...profile,
  },
});

describe('the realtime model gets the realtime voice, never the relay voice', () => {
  it('sends realtime_voice', () => {
    expect(realtimeSessionConfig(call({ realtime_voice: 'cedar', voice: 'es-MX-Neural2-A', tts_provider: 'Google' })).voice).toBe('cedar');
  });

  it("falls back to OpenAI's recommended voice, not to a Google voice name", () => {
    expect(realtimeSessionConfig(call({ voice: 'es-MX-Neural2-A', tts_provider: 'Google' })).voice).toBe('marin');
  });
});
