import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule, Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { LogDestination } from './log-destination.js';
import { currentLogBindings, runWithLogContext } from './log-context.js';
import { REDACTED, REDACTED_PATHS, redactError, redactFields, redactText, VERBATIM_MESSAGE } from './redaction.js';

const QUIET_ROUTES = new Set(['/health', '/metrics']);

/**
 * One line an event with a request id; JSON for collectors, readable lines in development (LOG_FORMAT);
 * credentials and full phone numbers never written; the call/company bound by `bindLogContext` on every line.
 */
export function loggerParams(config: AppConfig, destination: LogDestination | null): Params {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    // The bindings of the current log context (call SID, company) on every line, whichever module logs it.
    mixin: () => ({ ...currentLogBindings() }),
    formatters: { log: (object: Record<string, unknown>) => redactFields(object) },
    hooks: {
      // Messages are free text: mask phone numbers and tokens in them too (unless the app composed the text itself).
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        if (isVerbatim(args[0])) return method.apply(this, args);
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)),
        );
      },
    },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: redactText(req.url),
        user_agent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
      err: redactError,
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.has((req.url ?? '').split('?')[0]) },
    transport:
      config.logFormat === 'pretty' && !destination
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
        : undefined,
  } satisfies LoggerOptions & Record<string, unknown>;
  return { pinoHttp: destination ? [options, destination] : options };
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: LogDestination, useFactory: (): LogDestination | null => null }],
      inject: [AppConfig, LogDestination],
      useFactory: loggerParams,
    }),
  ],
})
export class LoggingModule implements NestModule {
  /** Every HTTP request gets a log context of its own, so handlers can bind the call they work on. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_req: IncomingMessage, _res: ServerResponse, next: () => void) => runWithLogContext({}, next))
      .forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}

function isVerbatim(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && (arg as Record<symbol, unknown>)[VERBATIM_MESSAGE] === true;
}
