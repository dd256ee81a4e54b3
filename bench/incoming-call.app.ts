// The API the incoming-call benchmark measures, in a process of its own as `npm start` runs it: the whole app, on
// the database the benchmark prepared (BENCH_DATABASE_URL, BENCH_DATABASE_KIND; PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN
// as it signs), plus one bare route as the baseline.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Controller, Header, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';
import { Public } from '../src/auth/auth.decorators.js';
import { AppConfig } from '../src/config/app-config.js';
import { loadConfig } from '../src/config/load-config.js';
import { openPostgresDatabase } from '../src/database/embedded-postgres.js';

const FIXED_TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://bench.example/voice/connect-action">' +
  '<ConversationRelay url="wss://bench.example/conversation-relay" language="es-MX"><Parameter name="token" value="x"/></ConversationRelay></Connect></Response>';

/** The baseline, only in this harness: the same app and HTTP stack, no signature, no database, fixed TwiML. */
@Controller('bench')
class BareTwimlController {
  @Post('bare-twiml')
  @Public()
  // Twilio's body type, as on the webhooks: a JSON-only route would answer 415.
  @ApiConsumes('application/x-www-form-urlencoded')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  bareTwiml(): string {
    return FIXED_TWIML;
  }
}

function benchConfig(port: number): AppConfig {
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: String(port),
    // Logging as a deployment has it (info, JSON lines): each request's line is part of what a webhook costs.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    LOG_FORMAT: 'json',
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN: process.env.TWILIO_AUTH_TOKEN,
    PRICE_BACKFILL_ENABLED: 'false',
    // One load generator is one source address: the per-address limit of Twilio-facing routes would cut it off.
    RATE_LIMIT_TWILIO: '0',
    RATE_LIMIT_API: '0',
  });
  return { ...config, demoSeed: false };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const url = process.env.BENCH_DATABASE_URL;
  if (!url || !values.port) throw new Error('BENCH_DATABASE_URL and --port are required');
  const kind = process.env.BENCH_DATABASE_KIND === 'embedded' ? 'embedded' : 'postgres';
  // The pool the API opens on either kind of database.
  const db = openPostgresDatabase(url, 10, kind);
  const config = benchConfig(Number(values.port));
  @Module({ imports: [AppModule.forRoot(config, db)], controllers: [BareTwimlController] })
  class BenchAppModule {}
  const app = await NestFactory.create<NestExpressApplication>(BenchAppModule, { bufferLogs: true, rawBody: true });
  configureApp(app);
  await app.listen(config.port, '127.0.0.1');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
