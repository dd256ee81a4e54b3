import { DEFAULT_REALTIME_RATE_CARD } from '../../config/app-config.js';
import { priceRealtimeUsage } from './realtime-usage.js';

describe('priceRealtimeUsage', () => {
  it('prices each kind of token on the rate card, cached input at its own rate', () => {
    const card = { audio_input: 32, audio_input_cached: 0.4, audio_output: 64, text_input: 4, text_input_cached: 0.4, text_output: 16 };
    const priced = priceRealtimeUsage(
      {
        total_tokens: 2000,
        input_tokens: 1500,
        output_tokens: 500,
        input_token_details: { text_tokens: 500, audio_tokens: 1000, cached_tokens: 600, cached_tokens_details: { text_tokens: 400, audio_tokens: 200 } },
        output_token_details: { text_tokens: 100, audio_tokens: 400 },
      },
      card,
    );
    // 800×32 + 200×0.4 + 100×4 + 400×0.4 + 400×64 + 100×16 = 53,440 per million
    expect(priced).toEqual({ tokens: 2000, cost_usd: 0.05344 });
  });

  it('tolerates missing details and nonsense numbers', () => {
    expect(priceRealtimeUsage({}, DEFAULT_REALTIME_RATE_CARD)).toEqual({ tokens: 0, cost_usd: 0 });
    expect(priceRealtimeUsage({ input_tokens: 10, output_tokens: -5, output_token_details: { audio_tokens: Number.NaN } }, DEFAULT_REALTIME_RATE_CARD)).toEqual(
      { tokens: 10, cost_usd: 0 },
    );
  });
});
