import type { BusinessHours } from './business-hours.js';
import type { RealtimeVoice, TtsProvider } from './voices.js';

export type VoicePath = 'conversation_relay' | 'media_stream';
export type BrainKind = 'knowledge' | 'openai';

/** A company's agent configuration as stored (defaults filled in for companies that never saved one). */
export interface AgentConfig {
  company_id: string;
  name: string;
  /** BCP 47, e.g. es-MX. */
  language: string;
  greeting: string | null;
  instructions: string | null;
  /** ConversationRelay's voice, a voice of tts_provider. */
  voice: string | null;
  tts_provider: TtsProvider | null;
  /** The realtime model's voice (OpenAI). */
  realtime_voice: RealtimeVoice | null;
  voice_path: VoicePath;
  brain: BrainKind;
  model: string | null;
  /** E.164 */
  transfer_number: string | null;
  /** E.164 */
  fallback_number: string | null;
  business_hours: BusinessHours | null;
  max_concurrent_calls: number | null;
  /** Null until the configuration is first saved. */
  updated_at: string | null;
}
