import { AppConfig } from '../../src/config/app-config.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789-0123456789-abcdef';
export const TEST_SUPABASE_URL = 'http://127.0.0.1:9';
export const TEST_TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0123456789';
export const TEST_TWILIO_ACCOUNT_SID = 'AC11111111111111111111111111111111';
export const TEST_PUBLIC_BASE_URL = 'https://api.test.example';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A complete configuration for tests; nothing in it reaches a real vendor. */
export function testConfig(overrides: DeepPartial<AppConfig> = {}): AppConfig {
  const base: AppConfig = {
    env: 'test',
    port: 0,
    publicBaseUrl: TEST_PUBLIC_BASE_URL,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    database: { dataDir: '' },
    auth: { supabaseUrl: TEST_SUPABASE_URL, jwtSecret: TEST_JWT_SECRET, jwtSecretIsDevelopment: false },
    twilio: {
      accountSid: TEST_TWILIO_ACCOUNT_SID,
      authToken: TEST_TWILIO_AUTH_TOKEN,
      usingDevelopmentCredentials: false,
    },
    openai: { baseUrl: 'http://127.0.0.1:9/v1', model: 'test-model', realtimeModel: 'test-realtime-model' },
    sessionTokenSecret: 'test-session-token-secret-0123456789-abcdef',
    demoSeed: false,
  };
  return merge(base, overrides) as AppConfig;
}

function merge(target: object, source: object): object {
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(source)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current, value)
        : value;
  }
  return out;
}
