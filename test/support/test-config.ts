import { AppConfig, DEFAULT_REALTIME_RATE_CARD } from '../../src/config/app-config.js';

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
    logFormat: 'json',
    // Limits high enough that no suite meets them by accident; test/limits*.spec.ts lowers them.
    http: { corsOrigins: [], trustProxy: false, rateLimit: { windowSeconds: 60, api: 100_000, twilio: 100_000, unauthenticated: 100_000 } },
    database: { dataDir: '' },
    auth: { supabaseUrl: TEST_SUPABASE_URL, jwtSecret: TEST_JWT_SECRET, jwtSecretIsDevelopment: false },
    twilio: {
      accountSid: TEST_TWILIO_ACCOUNT_SID,
      authToken: TEST_TWILIO_AUTH_TOKEN,
      usingDevelopmentCredentials: false,
    },
    openai: { baseUrl: 'http://127.0.0.1:9/v1', model: 'test-model', realtimeModel: 'test-realtime-model' },
    // The price backfill never runs on a timer in tests (they call it directly), and calls become due only in its own tests.
    telephony: {
      rateCard: { MX: 0.01, US: 0.0085, default: 0.013 },
      priceBackfill: { enabled: false, intervalSeconds: 60, firstDelaySeconds: 3600, maxAttempts: 3, batchSize: 20 },
    },
    // Short drain so that closing a test app with a live call does not wait half a minute.
    agentSession: { drainSeconds: 1, deregisterSeconds: 0, realtimeRates: { ...DEFAULT_REALTIME_RATE_CARD } },
    // Heartbeats as in production; the orphaned-call sweep never runs on a timer unless a test turns it on.
    callOwners: { heartbeatSeconds: 10, deadAfterSeconds: 30, reconcileEnabled: false, reconcileIntervalSeconds: 15, reconcileBatchSize: 20 },
    agent: { llmTimeoutMs: 2_000, llmRates: { 'test-model': { input: 1, output: 2 } } },
    // Webhook deliveries are off unless a test turns them on (then a fast timer and short retries).
    events: {
      webhooks: {
        enabled: false,
        pollIntervalMs: 100,
        retryScheduleSeconds: [0.2, 0.4, 0.8],
        timeoutMs: 2_000,
        concurrency: 8,
        leaseSeconds: 30,
        allowLoopback: true,
      },
      stream: { pollIntervalMs: 100, heartbeatSeconds: 15 },
    },
    // The bundle monitor never runs on a timer in tests: they call it directly.
    provisioning: { monitorEnabled: false, monitorIntervalSeconds: 300, leaseSeconds: 60, documentMaxBytes: 64 * 1024 },
    // No Redis unless a test brings one (with a key prefix of its own).
    redis: { keyPrefix: 'test:' },
    sessionTokenSecret: 'test-session-token-secret-0123456789-abcdef',
    demoSeed: false,
  };
  return merge(base, overrides) as AppConfig;
}

function merge(target: object, source: object): object {
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(source)) {
    const current = out[key];
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' ? merge(current, value) : value;
  }
  return out;
}
