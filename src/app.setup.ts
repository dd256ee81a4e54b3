import { INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet, { type HelmetOptions } from 'helmet';
import { Logger } from 'nestjs-pino';
import { RawSocketWsAdapter } from './agent-session/raw-socket-ws.adapter.js';
import { applyOpenApiConventions } from './common/openapi-conventions.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/app-config.js';
import { QuietFrameworkLogger } from './logging/quiet-framework-logger.js';

export const API_TITLE = 'Phone-to-Agent API';

/** Request body limits: JSON for the API, forms for Twilio's webhooks (a few KB each). Larger bodies get a 413. */
export const BODY_LIMITS = { json: '1mb', urlencoded: '256kb' } as const;

/**
 * Every tag an operation may use, with the description the docs show. The OpenAPI lint fails on an
 * operation whose tag is missing here: a new module adds its tag in the same change.
 */
export const API_TAGS: Readonly<Record<string, string>> = {
  health: 'Liveness, readiness and Prometheus metrics, for load balancers and monitoring',
  debug: 'Diagnostics for platform admins and for checking an access token',
  companies: 'Companies (tenants) and their members',
  agent: "A company's AI agent: voice path, brain, greeting, instructions, business hours",
  knowledge: "A company's knowledge base, which the agent answers from",
  calls: 'Calls with their transcripts',
  usage: 'Telephony minutes, tokens and their cost, by company and user',
  'phone-numbers': "Connecting a company's Twilio numbers to its agent",
  bundles: 'Regulatory bundles: documents, review by Twilio, and the number bought on approval',
  twilio: 'Webhooks that Twilio calls, verified by X-Twilio-Signature (not for frontends)',
  webhooks: "A company's webhook endpoint (Standard Webhooks): signed call, message and bundle events, and their deliveries",
  events: "A company's live events for dashboards (Server-Sent Events)",
  messages: 'Messages the agent took, and SMS and WhatsApp conversations',
};

/** JSON responses load nothing: the strictest policy. */
const API_HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/** Swagger UI serves its scripts and styles from /docs and calls the API on the same origin; data: icons. */
const DOCS_HELMET: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      // Behind the TLS proxy the page is https already; on plain http in development this would break it.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * Everything about the app that is not a module: proxies, security headers, CORS, pipes, body limits,
 * WebSockets, Swagger. Shared by main and the tests, so tests run what production runs.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.useLogger(new QuietFrameworkLogger(app.get(Logger)));
  // Behind a proxy, req.ip (the Twilio-route rate limit) must be the client, not the proxy; see TRUST_PROXY.
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  // Every route gets the strict headers (the API, health, metrics, Twilio's webhooks, errors for unknown paths)
  // except the Swagger UI page, which loads its own scripts and styles.
  const apiHeaders = helmet(API_HELMET);
  app.use('/docs', helmet(DOCS_HELMET));
  app.use((req: Request, res: Response, next: NextFunction) => (isDocsPage(req.path) ? next() : apiHeaders(req, res, next)));
  if (config.http.corsOrigins.length > 0) app.enableCors(corsOptions(config.http.corsOrigins));
  app.useGlobalPipes(createValidationPipe());
  app.useBodyParser('json', { limit: BODY_LIMITS.json });
  app.useBodyParser('urlencoded', { limit: BODY_LIMITS.urlencoded, extended: false });
  // WsAdapter without the per-frame dispatcher for raw-socket gateways (the Twilio streams): see the class.
  app.useWebSocketAdapter(new RawSocketWsAdapter(app));
  app.enableShutdownHooks();
  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
  return app;
}

/** `/docs` and below (Swagger UI), not `/docs-json`: as Express matches mount paths, case-insensitively. */
function isDocsPage(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/docs' || lower.startsWith('/docs/');
}

/** Browser origins allowed to call the API with a bearer token (no cookies, so no credentials mode). */
export function corsOptions(origins: readonly string[]): CorsOptions {
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    credentials: false,
    maxAge: 600,
  };
}

export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(API_TITLE)
    .setDescription(
      "Connects companies' phone numbers to AI agents. `/api` routes take a Supabase access token " +
        '(`Authorization: Bearer <token>`); Twilio-facing routes are verified by `X-Twilio-Signature` instead. ' +
        'Request bodies are JSON (`Content-Type: application/json`; 415 otherwise) except where an operation says ' +
        'multipart or form. Errors are JSON `{ statusCode, error, message }`; `/api` is rate limited per user, and ' +
        'per address for requests without a valid token (429 with `Retry-After`).',
    )
    .setVersion('1.0.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This API (the origin serving this document)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Supabase access token' })
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Twilio-Signature',
        description: 'HMAC-SHA1 of PUBLIC_BASE_URL + path + sorted parameters, keyed with the Twilio auth token',
      },
      'twilio_signature',
    );
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
    // Tags come from @ApiTags only (declared in API_TAGS), never from controller class names.
    autoTagControllers: false,
  });
  return applyOpenApiConventions(markPublicOperations(document));
}

/**
 * Outside /api, an operation with no security requirement is public by design (health, metrics): say so
 * with `security: []`. Under /api every route needs a token, so a missing requirement there is left for
 * the OpenAPI lint to report.
 */
function markPublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (path === '/api' || path.startsWith('/api/')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const operation = item[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
  return document;
}
