import { relayVoiceProblems } from './voices.js';

describe('relayVoiceProblems (voice and tts_provider go together)', () => {
  it.each([
    ['es-MX-Neural2-A', 'Google'],
    ['en-US-Chirp3-HD-Aoede', 'Google'],
    ['Mia-Neural', 'Amazon'],
    ['Andrés-Generative', 'Amazon'],
    ['UgBBYS2sOqTuMpoF3BR0', 'ElevenLabs'],
    ['UgBBYS2sOqTuMpoF3BR0-flash_v2_5-1.2_1.0_1.0', 'ElevenLabs'],
  ])('accepts %s with %s', (voice, provider) => {
    expect(relayVoiceProblems(voice, provider)).toEqual([]);
  });

  it('accepts no voice at all, with or without a provider (the provider default speaks)', () => {
    expect(relayVoiceProblems(null, null)).toEqual([]);
    expect(relayVoiceProblems(null, 'Google')).toEqual([]);
  });

  it('refuses a voice without its provider: Twilio would use ElevenLabs and drop the call', () => {
    expect(relayVoiceProblems('es-MX-Neural2-A', null)).toEqual([
      { field: 'tts_provider', message: expect.stringContaining('tts_provider is required with voice') },
    ]);
  });

  it.each([
    ['es-MX-Neural2-A', 'ElevenLabs'],
    ['es-MX-Neural2-A', 'Amazon'],
    ['Mia-Neural', 'Google'],
    ['UgBBYS2sOqTuMpoF3BR0', 'Google'],
  ])('refuses %s as a %s voice', (voice, provider) => {
    expect(relayVoiceProblems(voice, provider)).toEqual([{ field: 'voice', message: expect.stringContaining(`${voice} is not a ${provider} voice name`) }]);
  });

  it('points an OpenAI voice to realtime_voice', () => {
    expect(relayVoiceProblems('marin', 'Google')[0].message).toMatch(/set it as realtime_voice/);
  });
});
