import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { modelShutdownWarnings } from './config/openai-models.js';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, rawBody: true });
  configureApp(app);
  await app.listen(config.port);
  const logger = new Logger('Bootstrap');
  logger.log({ event: 'started', port: config.port, public_base_url: config.publicBaseUrl }, `Listening on port ${config.port}`);
  for (const line of developmentDefaults(config)) logger.warn({ event: 'development_default' }, line);
  const models = { OPENAI_MODEL: config.openai.model, OPENAI_REALTIME_MODEL: config.openai.realtimeModel };
  for (const line of modelShutdownWarnings(models)) logger.warn({ event: 'model_shutdown_announced' }, line);
}

function developmentDefaults(config: AppConfig): string[] {
  const lines: string[] = [];
  if (!config.database.url && !config.database.supabaseServiceRoleKey) {
    lines.push(`Embedded database in ${config.database.dataDir} (set DATABASE_URL for PostgreSQL or Supabase)`);
  }
  if (config.demoSeed) lines.push('Demo company seeded on an empty database: +525512345678 (mint a token with npm run token)');
  if (config.auth.jwtSecretIsDevelopment) lines.push('Access tokens are checked against the development secret (set SUPABASE_URL or SUPABASE_JWT_SECRET)');
  if (config.twilio.usingDevelopmentCredentials) lines.push('Twilio credentials are development placeholders (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)');
  if (!config.openai.apiKey) lines.push('No OPENAI_API_KEY: agents use the embedded knowledge brain');
  return lines;
}

void bootstrap();
