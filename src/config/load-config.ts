import {
  AppConfig,
  DEVELOPMENT_JWT_SECRET,
  DEVELOPMENT_SESSION_TOKEN_SECRET,
  DEVELOPMENT_TWILIO_ACCOUNT_SID,
  DEVELOPMENT_TWILIO_AUTH_TOKEN,
  DEFAULT_LLM_RATE_CARD,
  DEFAULT_REALTIME_RATE_CARD,
  DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS,
  LlmRate,
  RealtimeRateCard,
} from './app-config.js';
import { ConfigError } from './config-error.js';
import { DEFAULT_OPENAI_MODELS } from './openai-models.js';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NODE_ENVS = ['development', 'test', 'production'] as const;

/** Reads, validates and types the environment; every problem is reported at once, naming its variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
      }
      return value.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be a URL (for example ${protocols[0]}//host), got "${value}"`);
      return undefined;
    }
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  if (!(NODE_ENVS as readonly string[]).includes(nodeEnv)) {
    problems.push(`NODE_ENV must be one of ${NODE_ENVS.join(', ')}, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';

  const portText = read('PORT') ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT must be a whole number from 0 to 65535, got "${portText}"`);
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const publicBaseUrl = url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${portText}`;
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const supabaseUrl = url('SUPABASE_URL', ['http:', 'https:']);
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  // Every URL setting is checked here, before the problems are reported, so none is dropped or accepted unchecked.
  const twilioApiBaseUrl = url('TWILIO_API_BASE_URL', ['http:', 'https:']);
  const twilioNumbersBaseUrl = url('TWILIO_NUMBERS_BASE_URL', ['http:', 'https:']);
  const twilioNumbersUploadBaseUrl = url('TWILIO_NUMBERS_UPLOAD_BASE_URL', ['http:', 'https:']);
  const openaiBaseUrl = url('OPENAI_BASE_URL', ['http:', 'https:']);
  const serviceRoleKey = read('SUPABASE_SERVICE_ROLE_KEY');
  if (serviceRoleKey && !supabaseUrl) problems.push('SUPABASE_SERVICE_ROLE_KEY is set but SUPABASE_URL is not');

  const jwtSecret = read('SUPABASE_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('SUPABASE_JWT_SECRET must be at least 32 characters');
  }
  const accountSid = read('TWILIO_ACCOUNT_SID');
  if (accountSid !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    problems.push('TWILIO_ACCOUNT_SID must look like AC followed by 32 hexadecimal characters');
  }
  const authToken = read('TWILIO_AUTH_TOKEN');
  const sessionSecret = read('SESSION_TOKEN_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    problems.push('SESSION_TOKEN_SECRET must be at least 32 characters');
  }

  const demoSeedText = read('DEMO_SEED');
  if (demoSeedText !== undefined && !['true', 'false'].includes(demoSeedText)) {
    problems.push(`DEMO_SEED must be true or false, got "${demoSeedText}"`);
  }

  const rateCard = parseRateCard(read('TELEPHONY_RATE_CARD'), problems);
  const backfillEnabledText = read('PRICE_BACKFILL_ENABLED');
  if (backfillEnabledText !== undefined && !['true', 'false'].includes(backfillEnabledText)) {
    problems.push(`PRICE_BACKFILL_ENABLED must be true or false, got "${backfillEnabledText}"`);
  }
  const backfillIntervalText = read('PRICE_BACKFILL_INTERVAL_SECONDS') ?? '60';
  const backfillInterval = Number(backfillIntervalText);
  if (!Number.isInteger(backfillInterval) || backfillInterval < 1 || backfillInterval > 86_400) {
    problems.push(`PRICE_BACKFILL_INTERVAL_SECONDS must be a whole number of seconds from 1 to 86400, got "${backfillIntervalText}"`);
  }

  if (production) {
    if (!jwtSecret && !supabaseUrl) {
      problems.push('NODE_ENV=production needs SUPABASE_URL (JWKS) or SUPABASE_JWT_SECRET: refusing the development JWT secret');
    }
    if (jwtSecret === DEVELOPMENT_JWT_SECRET) problems.push('SUPABASE_JWT_SECRET is the development secret');
    if (!accountSid || !authToken || authToken === DEVELOPMENT_TWILIO_AUTH_TOKEN) {
      problems.push('NODE_ENV=production needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: refusing development credentials');
    }
    if (!sessionSecret || sessionSecret === DEVELOPMENT_SESSION_TOKEN_SECRET) {
      problems.push('NODE_ENV=production needs SESSION_TOKEN_SECRET: refusing the development secret');
    }
    if (!read('PUBLIC_BASE_URL')) problems.push('NODE_ENV=production needs PUBLIC_BASE_URL (the URL Twilio uses to reach this API)');
    if (!databaseUrl && !(supabaseUrl && serviceRoleKey)) {
      problems.push('NODE_ENV=production needs DATABASE_URL or SUPABASE_URL with SUPABASE_SERVICE_ROLE_KEY: the embedded database is for development');
    }
  }

  const drainText = read('SHUTDOWN_DRAIN_SECONDS') ?? '30';
  const drainSeconds = Number(drainText);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0 || drainSeconds > 3600) {
    problems.push(`SHUTDOWN_DRAIN_SECONDS must be a number of seconds from 0 to 3600, got "${drainText}"`);
  }
  // Production sits behind a load balancer that needs a few health checks to notice; development stops at once.
  const deregisterText = read('SHUTDOWN_DEREGISTER_SECONDS') ?? (production ? '5' : '0');
  const deregisterSeconds = Number(deregisterText);
  if (!Number.isFinite(deregisterSeconds) || deregisterSeconds < 0 || deregisterSeconds > 300) {
    problems.push(`SHUTDOWN_DEREGISTER_SECONDS must be a number of seconds from 0 to 300, got "${deregisterText}"`);
  }
  const realtimeRates = parseRealtimeRateCard(read('OPENAI_REALTIME_RATE_CARD'), problems);
  const llmTimeoutText = read('AGENT_LLM_TIMEOUT_MS') ?? '8000';
  const llmTimeoutMs = Number(llmTimeoutText);
  if (!Number.isInteger(llmTimeoutMs) || llmTimeoutMs < 100 || llmTimeoutMs > 120_000) {
    problems.push(`AGENT_LLM_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000, got "${llmTimeoutText}"`);
  }

  const monitorEnabledText = read('BUNDLE_MONITOR_ENABLED');
  if (monitorEnabledText !== undefined && !['true', 'false'].includes(monitorEnabledText)) {
    problems.push(`BUNDLE_MONITOR_ENABLED must be true or false, got "${monitorEnabledText}"`);
  }
  const monitorIntervalText = read('BUNDLE_MONITOR_INTERVAL_SECONDS') ?? '300';
  const monitorInterval = Number(monitorIntervalText);
  if (!Number.isInteger(monitorInterval) || monitorInterval < 5 || monitorInterval > 86_400) {
    problems.push(`BUNDLE_MONITOR_INTERVAL_SECONDS must be a whole number of seconds from 5 to 86400, got "${monitorIntervalText}"`);
  }
  const documentMaxText = read('BUNDLE_DOCUMENT_MAX_BYTES') ?? String(5 * 1024 * 1024);
  const documentMaxBytes = Number(documentMaxText);
  if (!Number.isInteger(documentMaxBytes) || documentMaxBytes < 1024 || documentMaxBytes > 20 * 1024 * 1024) {
    problems.push(`BUNDLE_DOCUMENT_MAX_BYTES must be a whole number of bytes from 1024 to 20971520, got "${documentMaxText}"`);
  }

  const callOwners = parseCallOwners(read, problems);
  const llmRates = parseLlmRateCard(read('OPENAI_LLM_RATE_CARD'), problems);
  const events = parseEvents(read, production, problems);
  const http = parseHttpEdge(read, problems);
  const logFormat = read('LOG_FORMAT') ?? (nodeEnv === 'development' ? 'pretty' : 'json');
  if (logFormat !== 'json' && logFormat !== 'pretty') problems.push(`LOG_FORMAT must be json or pretty, got "${logFormat}"`);

  if (problems.length > 0) throw new ConfigError(problems);

  const useDevJwtSecret = !jwtSecret && !supabaseUrl;
  return {
    env: nodeEnv as AppConfig['env'],
    port,
    publicBaseUrl,
    logLevel,
    logFormat: logFormat as AppConfig['logFormat'],
    http,
    database: {
      url: databaseUrl,
      dataDir: read('DATA_DIR') ?? './.data',
      supabaseUrl: serviceRoleKey ? supabaseUrl : undefined,
      supabaseServiceRoleKey: serviceRoleKey,
    },
    auth: {
      supabaseUrl,
      jwtSecret: jwtSecret ?? (useDevJwtSecret ? DEVELOPMENT_JWT_SECRET : undefined),
      jwtSecretIsDevelopment: useDevJwtSecret,
    },
    twilio: {
      accountSid: accountSid ?? DEVELOPMENT_TWILIO_ACCOUNT_SID,
      authToken: authToken ?? DEVELOPMENT_TWILIO_AUTH_TOKEN,
      apiBaseUrl: twilioApiBaseUrl,
      numbersBaseUrl: twilioNumbersBaseUrl,
      numbersUploadBaseUrl: twilioNumbersUploadBaseUrl,
      usingDevelopmentCredentials: !accountSid || !authToken,
    },
    openai: {
      apiKey: read('OPENAI_API_KEY'),
      baseUrl: openaiBaseUrl ?? 'https://api.openai.com/v1',
      model: read('OPENAI_MODEL') ?? DEFAULT_OPENAI_MODELS.chat,
      realtimeModel: read('OPENAI_REALTIME_MODEL') ?? DEFAULT_OPENAI_MODELS.realtime,
    },
    telephony: {
      rateCard,
      priceBackfill: {
        enabled: backfillEnabledText !== 'false',
        intervalSeconds: backfillInterval,
        firstDelaySeconds: 120,
        maxAttempts: 8,
        batchSize: 20,
      },
    },
    agentSession: { drainSeconds, deregisterSeconds, realtimeRates },
    callOwners,
    agent: { llmTimeoutMs, llmRates },
    events,
    provisioning: {
      monitorEnabled: monitorEnabledText !== 'false',
      monitorIntervalSeconds: monitorInterval,
      leaseSeconds: 120,
      documentMaxBytes,
    },
    redis: { url: redisUrl, keyPrefix: 'phone-agent:' },
    sessionTokenSecret: sessionSecret ?? DEVELOPMENT_SESSION_TOKEN_SECRET,
    demoSeed: demoSeedText ? demoSeedText === 'true' : !databaseUrl && !serviceRoleKey,
  };
}

/**
 * Estimated USD per started minute by ISO country (Twilio's list prices for inbound local minutes; the price
 * backfill replaces each estimate with the actual price). TELEPHONY_RATE_CARD overrides or adds entries.
 */
export const DEFAULT_RATE_CARD: Readonly<Record<string, number>> = { MX: 0.01, US: 0.0085, default: 0.013 };

function parseRateCard(text: string | undefined, problems: string[]): Record<string, number> {
  if (text === undefined) return { ...DEFAULT_RATE_CARD };
  const example = 'for example {"MX":0.01,"US":0.0085,"default":0.013}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`TELEPHONY_RATE_CARD must be a JSON object of USD per minute by country, ${example}`);
    return { ...DEFAULT_RATE_CARD };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`TELEPHONY_RATE_CARD must be a JSON object of USD per minute by country, ${example}`);
    return { ...DEFAULT_RATE_CARD };
  }
  const card: Record<string, number> = { ...DEFAULT_RATE_CARD };
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key !== 'default' && !/^[A-Z]{2}$/.test(key))
      problems.push(`TELEPHONY_RATE_CARD key "${key}" must be a two-letter ISO country code in capitals or "default"`);
    else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      problems.push(`TELEPHONY_RATE_CARD["${key}"] must be a non-negative number of USD per minute`);
    else card[key] = value;
  }
  return card;
}

/** OPENAI_REALTIME_RATE_CARD: a JSON object of USD per million tokens; keys left out keep the default price. */
function parseRealtimeRateCard(text: string | undefined, problems: string[]): RealtimeRateCard {
  if (text === undefined) return { ...DEFAULT_REALTIME_RATE_CARD };
  const keys = Object.keys(DEFAULT_REALTIME_RATE_CARD) as (keyof RealtimeRateCard)[];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`OPENAI_REALTIME_RATE_CARD must be a JSON object like {"audio_input":32,"audio_output":64}, got "${text}"`);
    return { ...DEFAULT_REALTIME_RATE_CARD };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push('OPENAI_REALTIME_RATE_CARD must be a JSON object of USD per million tokens');
    return { ...DEFAULT_REALTIME_RATE_CARD };
  }
  const card = { ...DEFAULT_REALTIME_RATE_CARD };
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(keys as string[]).includes(key)) {
      problems.push(`OPENAI_REALTIME_RATE_CARD has an unknown key "${key}" (known: ${keys.join(', ')})`);
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`OPENAI_REALTIME_RATE_CARD.${key} must be a price of zero or more, got ${JSON.stringify(value)}`);
    } else {
      card[key as keyof RealtimeRateCard] = value;
    }
  }
  return card;
}

/** CORS_ORIGINS, TRUST_PROXY and the RATE_LIMIT_* settings of the HTTP edge. */
function parseHttpEdge(read: (name: string) => string | undefined, problems: string[]): AppConfig['http'] {
  const corsOrigins = (read('CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin === '*') continue;
    let normalized: string | undefined;
    try {
      normalized = new URL(origin).origin;
    } catch {
      normalized = undefined;
    }
    if (normalized !== origin) {
      problems.push(
        `CORS_ORIGINS entry "${origin}" must be an origin like https://app.example.com (scheme, host, optional port; no path or trailing slash), or *`,
      );
    }
  }

  const trustText = read('TRUST_PROXY') ?? 'false';
  let trustProxy: boolean | number | string = trustText;
  if (trustText === 'false' || trustText === 'true') trustProxy = trustText === 'true';
  else if (/^\d+$/.test(trustText)) trustProxy = Number(trustText);
  else if (!trustText.split(',').every((entry) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(entry.trim()))) {
    problems.push(`TRUST_PROXY must be true, false, a number of proxy hops, or addresses/subnets like "loopback, 10.0.0.0/8", got "${trustText}"`);
  }

  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const text = read(name) ?? String(fallback);
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
      return fallback;
    }
    return value;
  };
  return {
    corsOrigins,
    trustProxy,
    rateLimit: {
      windowSeconds: whole('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 3600),
      api: whole('RATE_LIMIT_API', 1200, 0, 1_000_000),
      twilio: whole('RATE_LIMIT_TWILIO', 30000, 0, 1_000_000),
      unauthenticated: whole('RATE_LIMIT_API_UNAUTHENTICATED', 120, 0, 1_000_000),
    },
  };
}

/** OPENAI_LLM_RATE_CARD: {"model":{"input":USD per 1M,"output":USD per 1M}}; models left out keep their default price. */
function parseLlmRateCard(text: string | undefined, problems: string[]): Record<string, LlmRate> {
  const card: Record<string, LlmRate> = { ...DEFAULT_LLM_RATE_CARD };
  if (text === undefined) return card;
  const example = 'for example {"gpt-4o-mini":{"input":0.15,"output":0.6}}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`OPENAI_LLM_RATE_CARD must be a JSON object of USD per million tokens by model, ${example}`);
    return card;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`OPENAI_LLM_RATE_CARD must be a JSON object of USD per million tokens by model, ${example}`);
    return card;
  }
  const price = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  for (const [model, rate] of Object.entries(parsed as Record<string, unknown>)) {
    const { input, output, ...rest } = (rate && typeof rate === 'object' ? rate : {}) as Record<string, unknown>;
    if (!price(input) || !price(output) || Object.keys(rest).length > 0) {
      problems.push(`OPENAI_LLM_RATE_CARD["${model}"] must be {"input":N,"output":N} with prices of zero or more`);
    } else {
      card[model] = { input, output };
    }
  }
  return card;
}

/** The WEBHOOK_* settings of the event outbox. */
function parseEvents(read: (name: string) => string | undefined, production: boolean, problems: string[]): AppConfig['events'] {
  const enabledText = read('WEBHOOK_DELIVERY_ENABLED');
  if (enabledText !== undefined && !['true', 'false'].includes(enabledText)) {
    problems.push(`WEBHOOK_DELIVERY_ENABLED must be true or false, got "${enabledText}"`);
  }
  const pollText = read('WEBHOOK_POLL_INTERVAL_MS') ?? '1000';
  const pollIntervalMs = Number(pollText);
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 50 || pollIntervalMs > 60_000) {
    problems.push(`WEBHOOK_POLL_INTERVAL_MS must be a whole number of milliseconds from 50 to 60000, got "${pollText}"`);
  }
  const scheduleText = read('WEBHOOK_RETRY_SCHEDULE_SECONDS');
  let retryScheduleSeconds = [...DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS];
  if (scheduleText !== undefined) {
    const parts = scheduleText.split(',').map((part) => Number(part.trim()));
    if (parts.length === 0 || parts.length > 30 || parts.some((n) => !Number.isFinite(n) || n < 0 || n > 604_800)) {
      problems.push(
        `WEBHOOK_RETRY_SCHEDULE_SECONDS must be a comma-separated list of up to 30 waits in seconds, for example "5,300,1800", got "${scheduleText}"`,
      );
    } else {
      retryScheduleSeconds = parts;
      // DESIGN §4: retried for at least 24 hours.
      if (production && parts.reduce((sum, n) => sum + n, 0) < 86_400) {
        problems.push('WEBHOOK_RETRY_SCHEDULE_SECONDS must add up to at least 86400 seconds (24 hours) in production');
      }
    }
  }
  return {
    webhooks: {
      enabled: enabledText !== 'false',
      pollIntervalMs,
      retryScheduleSeconds,
      timeoutMs: 10_000,
      concurrency: 16,
      leaseSeconds: 60,
      allowLoopback: !production,
    },
    stream: { pollIntervalMs: 500, heartbeatSeconds: 15 },
  };
}

/** INSTANCE_HEARTBEAT_SECONDS, INSTANCE_DEAD_AFTER_SECONDS, CALL_RECONCILE_ENABLED, CALL_RECONCILE_INTERVAL_SECONDS. */
function parseCallOwners(read: (name: string) => string | undefined, problems: string[]): AppConfig['callOwners'] {
  const seconds = (name: string, fallback: number, max: number): number => {
    const text = read(name) ?? String(fallback);
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      problems.push(`${name} must be a whole number of seconds from 1 to ${max}, got "${text}"`);
      return fallback;
    }
    return value;
  };
  const heartbeatSeconds = seconds('INSTANCE_HEARTBEAT_SECONDS', 10, 300);
  const deadAfterSeconds = seconds('INSTANCE_DEAD_AFTER_SECONDS', 30, 900);
  // One late heartbeat must not make a live instance look dead.
  if (deadAfterSeconds < 2 * heartbeatSeconds) {
    problems.push(`INSTANCE_DEAD_AFTER_SECONDS (${deadAfterSeconds}) must be at least twice INSTANCE_HEARTBEAT_SECONDS (${heartbeatSeconds})`);
  }
  const enabledText = read('CALL_RECONCILE_ENABLED');
  if (enabledText !== undefined && !['true', 'false'].includes(enabledText)) {
    problems.push(`CALL_RECONCILE_ENABLED must be true or false, got "${enabledText}"`);
  }
  return {
    heartbeatSeconds,
    deadAfterSeconds,
    reconcileEnabled: enabledText !== 'false',
    reconcileIntervalSeconds: seconds('CALL_RECONCILE_INTERVAL_SECONDS', 15, 300),
    reconcileBatchSize: 20,
  };
}
