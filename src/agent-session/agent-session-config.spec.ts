import { ConfigError } from '../config/config-error.js';
import { DEFAULT_REALTIME_RATE_CARD } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';

describe('agent-session settings in loadConfig', () => {
  it('defaults: 30 s drain, the published realtime prices', () => {
    expect(loadConfig({}).agentSession).toEqual({ drainSeconds: 30, realtimeRates: DEFAULT_REALTIME_RATE_CARD });
  });

  it('reads SHUTDOWN_DRAIN_SECONDS and a partial OPENAI_REALTIME_RATE_CARD', () => {
    const config = loadConfig({ SHUTDOWN_DRAIN_SECONDS: '5', OPENAI_REALTIME_RATE_CARD: '{"audio_output":20}' });
    expect(config.agentSession).toEqual({ drainSeconds: 5, realtimeRates: { ...DEFAULT_REALTIME_RATE_CARD, audio_output: 20 } });
  });

  it.each([
    [{ SHUTDOWN_DRAIN_SECONDS: 'soon' }, /SHUTDOWN_DRAIN_SECONDS/],
    [{ SHUTDOWN_DRAIN_SECONDS: '-1' }, /SHUTDOWN_DRAIN_SECONDS/],
    [{ OPENAI_REALTIME_RATE_CARD: 'cheap' }, /OPENAI_REALTIME_RATE_CARD must be a JSON object/],
    [{ OPENAI_REALTIME_RATE_CARD: '{"audio_inptu":1}' }, /unknown key "audio_inptu"/],
    [{ OPENAI_REALTIME_RATE_CARD: '{"audio_input":-1}' }, /OPENAI_REALTIME_RATE_CARD.audio_input/],
  ])('rejects %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
