import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load-config.js';

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
};

describe('HTTP edge settings', () => {
  it('defaults: no CORS, no proxy trusted, 1200 a minute per user on /api, 30000 per address on Twilio routes (all of Twilio comes from few addresses)', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ corsOrigins: [], trustProxy: false, rateLimit: { windowSeconds: 60, api: 1200, twilio: 30000, unauthenticated: 120 } });
  });

  it('reads origins, proxy trust and limits', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      TRUST_PROXY: '1',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_API: '0',
      RATE_LIMIT_TWILIO: '50',
      RATE_LIMIT_API_UNAUTHENTICATED: '7',
    });
    expect(config.http).toEqual({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      trustProxy: 1,
      rateLimit: { windowSeconds: 10, api: 0, twilio: 50, unauthenticated: 7 },
    });
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ CORS_ORIGINS: '*' }).http.corsOrigins).toEqual(['*']);
  });

  it('names the variable and the expected form when a value is wrong', () => {
    expect(problemsOf({ CORS_ORIGINS: 'https://app.example.com/' })).toContain('CORS_ORIGINS entry "https://app.example.com/" must be an origin');
    expect(problemsOf({ CORS_ORIGINS: 'app.example.com' })).toContain('CORS_ORIGINS entry "app.example.com"');
    expect(problemsOf({ TRUST_PROXY: 'the load balancer' })).toContain('TRUST_PROXY must be true, false, a number of proxy hops');
    expect(problemsOf({ RATE_LIMIT_API: '-1' })).toContain('RATE_LIMIT_API must be a whole number from 0 to 1000000, got "-1"');
    expect(problemsOf({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toContain('RATE_LIMIT_WINDOW_SECONDS must be a whole number from 1 to 3600');
    expect(problemsOf({ LOG_FORMAT: 'xml' })).toContain('LOG_FORMAT must be json or pretty, got "xml"');
  });

  it('logs readable lines in development and JSON elsewhere unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });
});
