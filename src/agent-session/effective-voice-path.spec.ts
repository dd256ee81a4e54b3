import { effectiveVoicePath } from './effective-voice-path.js';

describe('effectiveVoicePath', () => {
  const withKey = { openai: { apiKey: 'sk-test', baseUrl: '', model: '', realtimeModel: '' } };
  const withoutKey = { openai: { baseUrl: '', model: '', realtimeModel: '' } };

  it('media_stream without a realtime provider is served through ConversationRelay, and says why', () => {
    const result = effectiveVoicePath('media_stream', withoutKey);
    expect(result).toMatchObject({ path: 'conversation_relay', downgraded: true });
    expect(result.reason).toMatch(/OPENAI_API_KEY/);
  });

  it.each([
    ['media_stream', withKey, 'media_stream'],
    ['conversation_relay', withKey, 'conversation_relay'],
    ['conversation_relay', withoutKey, 'conversation_relay'],
  ] as const)('%s (key: %#) → %s unchanged', (configured, config, expected) => {
    expect(effectiveVoicePath(configured, config)).toEqual({ path: expected, downgraded: false, reason: null });
  });
});
