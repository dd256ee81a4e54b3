// Mints a development access token: npm run token -- --sub UUID [--admin] [--email X] [--hours N]
import { parseArgs } from 'node:util';
import { mintDevelopmentToken } from '../src/auth/development-token.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadDotEnv } from '../src/config/dot-env.js';
import { loadConfig } from '../src/config/load-config.js';

const USAGE = 'usage: npm run token -- --sub <user uuid> [--admin] [--email you@example.com] [--hours 1]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sub: { type: 'string' }, admin: { type: 'boolean', default: false }, email: { type: 'string' }, hours: { type: 'string', default: '1' } },
  });
  loadDotEnv();
  const config = loadConfig();
  if (config.env === 'production') throw new Error('Refusing to mint tokens with NODE_ENV=production: sign in through Supabase instead');
  if (!values.sub || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.sub))
    throw new Error(`--sub must be a user UUID\n${USAGE}`);
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) throw new Error('--hours must be a number of hours up to 720');
  if (!config.auth.jwtSecret)
    throw new Error('No HS256 secret is configured: set SUPABASE_JWT_SECRET (projects with asymmetric keys mint tokens through Supabase)');
  const token = await mintDevelopmentToken({
    sub: values.sub,
    secret: config.auth.jwtSecret,
    issuer: config.auth.supabaseUrl ? `${config.auth.supabaseUrl}/auth/v1` : undefined,
    email: values.email,
    admin: values.admin,
    expiresInSeconds: Math.round(hours * 3600),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
