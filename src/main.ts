import 'reflect-metadata';
import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError } from './config/config-error.js';
import { loadDotEnv } from './config/dot-env.js';
import { loadConfig } from './config/load-config.js';
import { modelShutdownWarnings } from './config/openai-models.js';
import { VERBATIM_MESSAGE } from './logging/redaction.js';
import { startupSummary } from './startup-summary.js';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`${error.message}\nSee .env.example for every setting.`);
    throw error;
  }
  // Before the database opens: a port in use is the commonest start-up failure and deserves one clear line.
  if (!(await portIsFree(config.port))) fail(portInUse(config.port));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, rawBody: true });
  configureApp(app);
  try {
    await app.listen(config.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      await app.close().catch(() => undefined);
      fail(portInUse(config.port));
    }
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const lines = startupSummary(config, port);
  const logger = new Logger('Bootstrap');
  logger.log({ event: 'started', port, public_base_url: config.publicBaseUrl, [VERBATIM_MESSAGE]: true }, lines.join('\n'));
  const models = { OPENAI_MODEL: config.openai.model, OPENAI_REALTIME_MODEL: config.openai.realtimeModel };
  for (const line of modelShutdownWarnings(models)) logger.warn({ event: 'model_shutdown_announced' }, line);
}

const portInUse = (port: number): string => `Port ${port} is already in use by another process: stop it, or set PORT to a free port.`;

/** Whether the HTTP server could listen on `port` on every interface, as Nest does. */
function portIsFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'EADDRINUSE'))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port);
  });
}

/** One clear message on standard error and a failed exit, instead of a stack trace. */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

void bootstrap();
