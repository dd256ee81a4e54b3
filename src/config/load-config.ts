import {
  AppConfig,
  DEVELOPMENT_JWT_SECRET,
  DEVELOPMENT_SESSION_TOKEN_SECRET,
  DEVELOPMENT_TWILIO_ACCOUNT_SID,
  DEVELOPMENT_TWILIO_AUTH_TOKEN,
} from './app-config.js';
import { ConfigError } from './config-error.js';

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

  if (problems.length > 0) throw new ConfigError(problems);

  const useDevJwtSecret = !jwtSecret && !supabaseUrl;
  return {
    env: nodeEnv as AppConfig['env'],
    port,
    publicBaseUrl,
    logLevel,
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
      apiBaseUrl: url('TWILIO_API_BASE_URL', ['http:', 'https:']),
      numbersBaseUrl: url('TWILIO_NUMBERS_BASE_URL', ['http:', 'https:']),
      numbersUploadBaseUrl: url('TWILIO_NUMBERS_UPLOAD_BASE_URL', ['http:', 'https:']),
      usingDevelopmentCredentials: !accountSid || !authToken,
    },
    openai: {
      apiKey: read('OPENAI_API_KEY'),
      baseUrl: url('OPENAI_BASE_URL', ['http:', 'https:']) ?? 'https://api.openai.com/v1',
      model: read('OPENAI_MODEL') ?? 'gpt-4o-mini',
      realtimeModel: read('OPENAI_REALTIME_MODEL') ?? 'gpt-realtime',
    },
    sessionTokenSecret: sessionSecret ?? DEVELOPMENT_SESSION_TOKEN_SECRET,
    demoSeed: demoSeedText ? demoSeedText === 'true' : !databaseUrl && !serviceRoleKey,
  };
}
