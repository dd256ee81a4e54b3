/**
 * The validated, typed environment. Nothing else in the app reads `process.env`.
 * An abstract class so that it is both the type and the DI token.
 */
export abstract class AppConfig {
  declare env: 'development' | 'test' | 'production';
  declare port: number;
  declare publicBaseUrl: string;
  declare logLevel: string;
  /** LOG_FORMAT: `json` (one object a line, for collectors) or `pretty` (readable); pretty by default only in development. */
  declare logFormat: 'json' | 'pretty';
  /** The HTTP edge (src/app.setup.ts, src/limits): CORS, proxies in front of us, rate limits. */
  declare http: {
    /** CORS_ORIGINS: browser origins allowed to call the API; empty sends no CORS headers, `*` allows any origin. */
    corsOrigins: string[];
    /** TRUST_PROXY: Express's "trust proxy" (false, a hop count, or addresses/subnets), so `req.ip` is the client's. */
    trustProxy: boolean | number | string;
    rateLimit: {
      /** RATE_LIMIT_WINDOW_SECONDS: the window both limits count in. */
      windowSeconds: number;
      /** RATE_LIMIT_API: requests a user may make to /api in one window; 0 turns the limit off. */
      api: number;
      /** RATE_LIMIT_TWILIO: requests one source address may make to Twilio-facing routes in one window; 0 turns it off. */
      twilio: number;
      /** RATE_LIMIT_API_UNAUTHENTICATED: /api requests without a valid token one source address may make in one window; 0 turns it off. */
      unauthenticated: number;
    };
  };
  declare database: {
    url?: string;
    dataDir: string;
    supabaseUrl?: string;
    supabaseServiceRoleKey?: string;
  };
  /**
   * REDIS_URL (optional): rate-limit counters and cross-instance cache notices shared by every instance. Without it
   * limits count per instance, and notices travel by PostgreSQL LISTEN/NOTIFY where the transport allows it.
   */
  declare redis: {
    url?: string;
    /** Prefix of every key and channel this app uses in Redis (not an environment setting: tests isolate themselves by it). */
    keyPrefix: string;
  };
  declare auth: {
    supabaseUrl?: string;
    /** HS256 secret; when unset only asymmetric keys from the project's JWKS are accepted. */
    jwtSecret?: string;
    /** Whether `jwtSecret` is the built-in development secret. */
    jwtSecretIsDevelopment: boolean;
    /**
     * Least time between two JWKS fetches caused by unknown key ids (jose's cooldown, 30 s when unset): not an
     * environment setting; tests shorten it to see a key rotation without waiting.
     */
    jwksCooldownMs?: number;
  };
  declare twilio: {
    accountSid: string;
    authToken: string;
    apiBaseUrl?: string;
    numbersBaseUrl?: string;
    numbersUploadBaseUrl?: string;
    usingDevelopmentCredentials: boolean;
  };
  declare openai: {
    apiKey?: string;
    baseUrl: string;
    model: string;
    realtimeModel: string;
  };
  declare telephony: {
    /** Estimated USD per started minute of a call, by ISO country of the dialed number; `default` for the rest. */
    rateCard: Record<string, number>;
    /** The job that replaces estimates with Twilio's actual call prices. */
    priceBackfill: {
      enabled: boolean;
      intervalSeconds: number;
      /** Twilio's price is null right after a call: the first fetch waits this long. */
      firstDelaySeconds: number;
      maxAttempts: number;
      batchSize: number;
    };
  };
  /** The voice gateways (ConversationRelay, Media Streams): shutdown drain and the realtime price list. */
  declare agentSession: {
    /** SHUTDOWN_DRAIN_SECONDS: on SIGTERM, how long live calls may go on before they are ended politely. */
    drainSeconds: number;
    /**
     * SHUTDOWN_DEREGISTER_SECONDS: on SIGTERM, how long `/health` answers 503 while the instance still serves
     * webhooks and streams, so that the load balancer's health check takes it out of rotation before it refuses any.
     */
    deregisterSeconds: number;
    /** OPENAI_REALTIME_RATE_CARD: USD per million tokens, for usage events of realtime calls. */
    realtimeRates: RealtimeRateCard;
  };
  /** Call owners (src/call-owners) and the reconciliation of calls no instance holds any more (DESIGN §10). */
  declare callOwners: {
    /** INSTANCE_HEARTBEAT_SECONDS: how often this instance records that it is alive. */
    heartbeatSeconds: number;
    /** INSTANCE_DEAD_AFTER_SECONDS: an owner silent this long is dead, and a session no stream claimed this long after its webhook was never connected. */
    deadAfterSeconds: number;
    /** CALL_RECONCILE_ENABLED: this instance sweeps for orphaned calls (any number may: each call is claimed once). */
    reconcileEnabled: boolean;
    /** CALL_RECONCILE_INTERVAL_SECONDS: how often the sweep runs. */
    reconcileIntervalSeconds: number;
    /** Orphaned calls asked about per sweep. */
    reconcileBatchSize: number;
  };
  /** The text brains (src/agent). */
  declare agent: {
    /** AGENT_LLM_TIMEOUT_MS: on a call, how long the openai brain waits for the first and each next chunk; for an SMS or WhatsApp reply, the deadline for the whole reply. After it the knowledge agent answers instead. */
    llmTimeoutMs: number;
    /** OPENAI_LLM_RATE_CARD: USD per million tokens by chat model, for the LLM usage events. */
    llmRates: Record<string, LlmRate>;
  };
  /** Regulatory bundles and number purchase (src/provisioning). */
  declare provisioning: {
    /** BUNDLE_MONITOR_ENABLED: the scheduled poll of bundles under review (the status callback works without it). */
    monitorEnabled: boolean;
    /** BUNDLE_MONITOR_INTERVAL_SECONDS: how often the poll runs. */
    monitorIntervalSeconds: number;
    /** How long a claimed bundle stays ours; longer than the slowest run of Twilio requests for one bundle. */
    leaseSeconds: number;
    /** BUNDLE_DOCUMENT_MAX_BYTES: the largest supporting document accepted. */
    documentMaxBytes: number;
  };
  /** The company event outbox (src/events): webhook deliveries and the live stream. */
  declare events: {
    webhooks: {
      /** WEBHOOK_DELIVERY_ENABLED: this instance sends webhook deliveries (any instance may; each is claimed once). */
      enabled: boolean;
      /** WEBHOOK_POLL_INTERVAL_MS: how often idle workers look for due deliveries. */
      pollIntervalMs: number;
      /** WEBHOOK_RETRY_SCHEDULE_SECONDS: the wait before each retry; the last attempt is one more than its length. */
      retryScheduleSeconds: number[];
      /** A receiver that has not answered in this long has failed the attempt (DESIGN §4: 10 s). */
      timeoutMs: number;
      /** Deliveries in flight at once on this instance (at most one per company). */
      concurrency: number;
      /** How long a claimed delivery stays ours: longer than one attempt. */
      leaseSeconds: number;
      /** Outside production, http URLs and loopback addresses are accepted (local receivers); never private ones. */
      allowLoopback: boolean;
    };
    stream: {
      /** How often an instance with open streams reads new events. */
      pollIntervalMs: number;
      /** A comment line this often keeps proxies from closing an idle stream. */
      heartbeatSeconds: number;
    };
  };
  /** Secret for the short-lived tokens handed to Twilio's streams. */
  declare sessionTokenSecret: string;
  declare demoSeed: boolean;
}

export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
export const DEVELOPMENT_TWILIO_AUTH_TOKEN = 'development-only-twilio-auth-token';
// A placeholder of the right shape (AC + 32 hex digits), never a real account.
export const DEVELOPMENT_TWILIO_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
export const DEVELOPMENT_SESSION_TOKEN_SECRET = 'development-only-session-token-secret';

/** USD per million tokens of a realtime speech-to-speech model, by kind of token. */
export interface RealtimeRateCard {
  audio_input: number;
  audio_input_cached: number;
  audio_output: number;
  text_input: number;
  text_input_cached: number;
  text_output: number;
}

/** OpenAI's published gpt-realtime prices (GA, USD per 1M tokens); override with OPENAI_REALTIME_RATE_CARD. */
export const DEFAULT_REALTIME_RATE_CARD: RealtimeRateCard = {
  audio_input: 32,
  audio_input_cached: 0.4,
  audio_output: 64,
  text_input: 4,
  text_input_cached: 0.4,
  text_output: 16,
};

/** USD per million tokens of a chat model. */
export interface LlmRate {
  input: number;
  output: number;
}

/**
 * OpenAI's published prices of common chat models (USD per 1M tokens); OPENAI_LLM_RATE_CARD overrides or adds
 * models. A model that is not listed is recorded at $0 with a warning in the log.
 */
export const DEFAULT_LLM_RATE_CARD: Readonly<Record<string, LlmRate>> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
};

/** Standard Webhooks' suggested schedule, which spans 27.6 hours: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];
