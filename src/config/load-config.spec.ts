import { DEVELOPMENT_JWT_SECRET } from './app-config.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
};

const production = {
  NODE_ENV: 'production',
  PUBLIC_BASE_URL: 'https://voice.example.com',
  DATABASE_URL: 'postgres://app@db:5432/app',
  SUPABASE_URL: 'https://project.supabase.co',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'a-real-looking-token',
  SESSION_TOKEN_SECRET: 's'.repeat(40),
};

describe('loadConfig', () => {
  it('starts with nothing set: embedded database, development secrets, demo seed', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      database: { dataDir: './.data', url: undefined },
      auth: { jwtSecret: DEVELOPMENT_JWT_SECRET, jwtSecretIsDevelopment: true },
      demoSeed: true,
    });
    expect(config.twilio.usingDevelopmentCredentials).toBe(true);
  });

  it('names the variable in every problem, all at once', () => {
    const problems = problemsOf({ PORT: 'eighty', PUBLIC_BASE_URL: 'not a url', LOG_LEVEL: 'loud', TWILIO_ACCOUNT_SID: 'XY1', DATABASE_URL: 'mysql://x' });
    expect(problems).toHaveLength(5);
    for (const name of ['PORT', 'PUBLIC_BASE_URL', 'LOG_LEVEL', 'TWILIO_ACCOUNT_SID', 'DATABASE_URL']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('strips trailing slashes from URLs', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://voice.example.com/' }).publicBaseUrl).toBe('https://voice.example.com');
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(production);
    expect(config.env).toBe('production');
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.demoSeed).toBe(false);
  });

  it.each([
    ['no JWT source', { SUPABASE_URL: '' }, /SUPABASE_URL \(JWKS\) or SUPABASE_JWT_SECRET/],
    ['the development JWT secret', { SUPABASE_JWT_SECRET: DEVELOPMENT_JWT_SECRET }, /development secret/],
    ['no Twilio credentials', { TWILIO_AUTH_TOKEN: '' }, /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/],
    ['no session secret', { SESSION_TOKEN_SECRET: '' }, /SESSION_TOKEN_SECRET/],
    ['no public URL', { PUBLIC_BASE_URL: '' }, /PUBLIC_BASE_URL/],
    ['the embedded database', { DATABASE_URL: '' }, /embedded database is for development/],
  ])('refuses production with %s', (_name, change, pattern) => {
    const problems = problemsOf({ ...production, ...change });
    expect(problems.join('\n')).toMatch(pattern);
  });

  it('validates every URL setting with the others, naming each', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      OPENAI_BASE_URL: 'ftp://x',
      TWILIO_API_BASE_URL: 'not a url',
      TWILIO_NUMBERS_BASE_URL: 'ws://numbers.local',
      TWILIO_NUMBERS_UPLOAD_BASE_URL: 'http//missing-colon',
      SUPABASE_URL: 'postgres://db',
    });
    expect(problems).toEqual([
      'PORT must be a whole number from 0 to 65535, got "eighty"',
      'SUPABASE_URL must be a http: or https: URL, got "postgres:"',
      'TWILIO_API_BASE_URL must be a URL (for example http://host), got "not a url"',
      'TWILIO_NUMBERS_BASE_URL must be a http: or https: URL, got "ws:"',
      'TWILIO_NUMBERS_UPLOAD_BASE_URL must be a URL (for example http://host), got "http//missing-colon"',
      'OPENAI_BASE_URL must be a http: or https: URL, got "ftp:"',
    ]);
  });

  it('refuses a wrong URL setting even when it is the only problem', () => {
    expect(problemsOf({ OPENAI_BASE_URL: 'ftp://x' })).toEqual(['OPENAI_BASE_URL must be a http: or https: URL, got "ftp:"']);
    expect(problemsOf({ TWILIO_API_BASE_URL: 'twilio.local' })).toEqual(['TWILIO_API_BASE_URL must be a URL (for example http://host), got "twilio.local"']);
  });

  it('keeps a short HS256 secret out', () => {
    expect(problemsOf({ SUPABASE_JWT_SECRET: 'short' })).toEqual(['SUPABASE_JWT_SECRET must be at least 32 characters']);
  });

  it('reads the call-owner settings, with DESIGN §10 defaults, and keeps the dead-after time above two heartbeats', () => {
    expect(loadConfig({}).callOwners).toEqual({
      heartbeatSeconds: 10,
      deadAfterSeconds: 30,
      reconcileEnabled: true,
      reconcileIntervalSeconds: 15,
      reconcileBatchSize: 20,
    });
    expect(
      loadConfig({ INSTANCE_HEARTBEAT_SECONDS: '1', INSTANCE_DEAD_AFTER_SECONDS: '3', CALL_RECONCILE_ENABLED: 'false', CALL_RECONCILE_INTERVAL_SECONDS: '2' })
        .callOwners,
    ).toMatchObject({ heartbeatSeconds: 1, deadAfterSeconds: 3, reconcileEnabled: false, reconcileIntervalSeconds: 2 });
    expect(problemsOf({ INSTANCE_HEARTBEAT_SECONDS: '10', INSTANCE_DEAD_AFTER_SECONDS: '15' })).toEqual([
      'INSTANCE_DEAD_AFTER_SECONDS (15) must be at least twice INSTANCE_HEARTBEAT_SECONDS (10)',
    ]);
    expect(problemsOf({ CALL_RECONCILE_INTERVAL_SECONDS: '0.5', CALL_RECONCILE_ENABLED: 'yes' })).toEqual([
      'CALL_RECONCILE_ENABLED must be true or false, got "yes"',
      'CALL_RECONCILE_INTERVAL_SECONDS must be a whole number of seconds from 1 to 300, got "0.5"',
    ]);
  });
});
