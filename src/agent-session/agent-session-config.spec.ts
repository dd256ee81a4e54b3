import { ConfigError } from '../config/config-error.js';
import { DEFAULT_REALTIME_RATE_CARD } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';

describe('agent-session settings in loadConfig', () => {
  it('defaults: 30 s drain, the published realtime prices', () => {
    expect(loadConfig({}).agentSession).toEqual({ drainSeconds: 30, deregisterSeconds: 0, realtimeRates: DEFAULT_REALTIME_RATE_CARD });
  });

  it('reads SHUTDOWN_DRAIN_SECONDS and a partial OPENAI_REALTIME_RATE_CARD', () => {
    const config = loadConfig({ SHUTDOWN_DRAIN_SECONDS: '5', OPENAI_REALTIME_RATE_CARD: '{"audio_output":20}' });
    expect(config.agentSession).toEqual({ drainSeconds: 5, deregisterSeconds: 0, realtimeRates: { ...DEFAULT_REALTIME_RATE_CARD, audio_output: 20 } });
  });

  it('waits for the load balancer 5 s by default in production, and reads SHUTDOWN_DEREGISTER_SECONDS', () => {
    expect(loadConfig({ SHUTDOWN_DEREGISTER_SECONDS: '2.5' }).agentSession.deregisterSeconds).toBe(2.5);
    const production = {
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'https://voice.example.com',
      DATABASE_URL: 'postgres://u:p@db.example.com:5432/app',
      SUPABASE_JWT_SECRET: 'a-production-jwt-secret-0123456789-0123456789',
      TWILIO_ACCOUNT_SID: 'AC11111111111111111111111111111111',
      TWILIO_AUTH_TOKEN: 'a-production-twilio-token-0123456789',
      SESSION_TOKEN_SECRET: 'a-production-session-secret-0123456789-0123456789',
    };
    expect(loadConfig(production).agentSession.deregisterSeconds).toBe(5);
  });

  it.each([
    [{ SHUTDOWN_DEREGISTER_SECONDS: 'later' }, /SHUTDOWN_DEREGISTER_SECONDS/],
    [{ SHUTDOWN_DEREGISTER_SECONDS: '301' }, /SHUTDOWN_DEREGISTER_SECONDS/],
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
