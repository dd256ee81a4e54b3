import type { AppConfig } from '../config/app-config.js';
import type { StreamKind } from '../twilio/stream-token.service.js';

export interface EffectiveVoicePath {
  /** The path the call is actually served on. */
  path: StreamKind;
  /** Whether it differs from the configured one. */
  downgraded: boolean;
  /** Why, in words an admin can act on (null when the configured path is used). */
  reason: string | null;
}

/**
 * Media Streams need a speech-to-speech provider: without OPENAI_API_KEY a company configured for them is served
 * through ConversationRelay (Twilio's speech recognition and voices with our text brain) instead of silence.
 * Pure, so that telephony (TwiML) and the debug lookup decide exactly as the gateways do. `configured` always comes
 * from the database, which fills in the default path (sql/0110, agent_config_defaults), so there is no default here.
 */
export function effectiveVoicePath(configured: StreamKind, config: Pick<AppConfig, 'openai'>): EffectiveVoicePath {
  if (configured === 'media_stream' && !config.openai.apiKey) {
    return {
      path: 'conversation_relay',
      downgraded: true,
      reason: 'voice_path is media_stream but no realtime provider is configured (set OPENAI_API_KEY): served through ConversationRelay',
    };
  }
  return { path: configured, downgraded: false, reason: null };
}
