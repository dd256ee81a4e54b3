import { AppConfig } from './config/app-config.js';

/** What sql/seed/demo.sql creates; the start-up summary and the README point newcomers at it. */
export const DEMO = {
  companyId: '00000000-0000-4000-8000-000000000001',
  companyName: 'Demo Clínica Dental',
  phoneNumber: '+525512345678',
  userId: '00000000-0000-4000-8000-0000000000aa',
} as const;

/**
 * The few lines a newcomer needs once the API listens: where the docs are, what the demo data is, how to get a
 * token, and which development defaults are in force. Secrets never appear here.
 */
export function startupSummary(config: AppConfig, port: number): string[] {
  const lines = [`Phone-to-Agent API listening on port ${port} (${config.env}); Twilio reaches it at ${config.publicBaseUrl}`];
  lines.push(`  API docs     ${config.publicBaseUrl}/docs (spec at /docs-json)`);
  if (config.demoSeed) {
    lines.push(`  demo         ${DEMO.companyName}, number ${DEMO.phoneNumber}, owner user ${DEMO.userId}`);
    lines.push(`  try a call   npm run simulate:call -- --to ${DEMO.phoneNumber}`);
  }
  if (config.env !== 'production' && config.auth.jwtSecret) {
    lines.push(`  token        npm run -s token -- --sub ${config.demoSeed ? DEMO.userId : '<user uuid>'} --admin`);
  }
  const database = config.database.url
    ? 'PostgreSQL from DATABASE_URL'
    : config.database.supabaseServiceRoleKey
      ? 'Supabase rpc (SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY)'
      : `Embedded database in ${config.database.dataDir} (set DATABASE_URL for PostgreSQL or Supabase)`;
  lines.push(`  database     ${database}`);
  const defaults: string[] = [];
  if (config.auth.jwtSecretIsDevelopment) defaults.push('access tokens checked against the development secret (set SUPABASE_URL or SUPABASE_JWT_SECRET)');
  if (config.twilio.usingDevelopmentCredentials) defaults.push('Twilio credentials are placeholders (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)');
  if (!config.openai.apiKey) defaults.push('no OPENAI_API_KEY: agents answer with the embedded knowledge brain');
  for (const line of defaults) lines.push(`  development  ${line}`);
  return lines;
}
