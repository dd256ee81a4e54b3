import type { RealtimeRateCard } from '../../config/app-config.js';

/** `response.done.response.usage` (GA). */
export interface RealtimeUsage {
  total_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: {
    text_tokens?: number;
    audio_tokens?: number;
    cached_tokens?: number;
    cached_tokens_details?: { text_tokens?: number; audio_tokens?: number };
  };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
}

const n = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/** USD of one response's tokens on the rate card (prices per million tokens); cached input is billed at its own rate. */
export function priceRealtimeUsage(usage: RealtimeUsage, card: RealtimeRateCard): { tokens: number; cost_usd: number } {
  const input = usage.input_token_details ?? {};
  const output = usage.output_token_details ?? {};
  const cachedAudio = n(input.cached_tokens_details?.audio_tokens);
  const cachedText = n(input.cached_tokens_details?.text_tokens);
  const audioIn = Math.max(n(input.audio_tokens) - cachedAudio, 0);
  const textIn = Math.max(n(input.text_tokens) - cachedText, 0);
  const micro =
    audioIn * card.audio_input +
    cachedAudio * card.audio_input_cached +
    textIn * card.text_input +
    cachedText * card.text_input_cached +
    n(output.audio_tokens) * card.audio_output +
    n(output.text_tokens) * card.text_output;
  const tokens = n(usage.total_tokens) || n(usage.input_tokens) + n(usage.output_tokens);
  return { tokens, cost_usd: Number((micro / 1e6).toFixed(6)) };
}
