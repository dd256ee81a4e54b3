/**
 * The two voice paths have two vendors (DESIGN §4). ConversationRelay speaks through Twilio's text-to-speech
 * providers, each with its own voice names; the realtime path speaks with OpenAI's built-in voices. A voice of one
 * provider sent without its provider makes Twilio use ElevenLabs and drop the call, so the pair is checked here.
 */
export const TTS_PROVIDERS = ['ElevenLabs', 'Google', 'Amazon'] as const;
export type TtsProvider = (typeof TTS_PROVIDERS)[number];

/** OpenAI Realtime's built-in voices (the GA list; OpenAI recommends marin and cedar). */
export const REALTIME_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;
export type RealtimeVoice = (typeof REALTIME_VOICES)[number];

/**
 * Each provider's voice naming, as Twilio documents it: Google `es-MX-Neural2-A`, `en-US-Chirp3-HD-Aoede`;
 * Amazon `Joanna-Neural`, `Mia-Generative`; ElevenLabs a 20-character voice id, optionally followed by
 * `-model-speed_stability_similarity`. The providers' catalogues change weekly; the naming does not.
 */
const VOICE_NAMING: Record<TtsProvider, { pattern: RegExp; example: string }> = {
  Google: {
    pattern: /^[a-z]{2,3}-[A-Z]{2}-(Standard|Wavenet|Neural2|News|Studio|Polyglot|Journey|Casual|Chirp-HD|Chirp3-HD)-[A-Za-z]+$/,
    example: 'es-MX-Neural2-A',
  },
  Amazon: { pattern: /^[A-Z][\p{L}]+-(Neural|Generative|Standard|LongForm)$/u, example: 'Mia-Neural' },
  ElevenLabs: { pattern: /^[A-Za-z0-9]{20}(-[a-z0-9_]+)?(-\d+(\.\d+)?_\d+(\.\d+)?_\d+(\.\d+)?)?$/, example: 'UgBBYS2sOqTuMpoF3BR0' },
};

export interface VoiceProblem {
  field: 'voice' | 'tts_provider';
  message: string;
}

/** What is wrong with a ConversationRelay voice and its provider, together; empty when they go together. */
export function relayVoiceProblems(voice: string | null | undefined, provider: string | null | undefined): VoiceProblem[] {
  if (!voice) return [];
  if (!provider) {
    return [{ field: 'tts_provider', message: `tts_provider is required with voice: name the provider of ${voice} (${TTS_PROVIDERS.join(', ')})` }];
  }
  const naming = VOICE_NAMING[provider as TtsProvider];
  if (!naming) return [];
  if ((REALTIME_VOICES as readonly string[]).includes(voice.toLowerCase())) {
    return [{ field: 'voice', message: `${voice} is an OpenAI realtime voice: set it as realtime_voice; voice is the ${provider} voice of ConversationRelay` }];
  }
  if (!naming.pattern.test(voice)) {
    return [{ field: 'voice', message: `${voice} is not a ${provider} voice name (such as ${naming.example})` }];
  }
  return [];
}
