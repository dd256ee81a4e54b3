import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service.js';

/**
 * Times every HTTP request, including those refused by guards (401, 403, 429) or by no route (404), which an
 * interceptor would never see. The route label is Express's route template (`/api/debug/phone-lookup/:phone_number`),
 * so phone numbers and ids never become label values.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpRequest(req.method, routeTemplate(req), res.statusCode, seconds);
    });
    next();
  }
}

function routeTemplate(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  // Middleware mounted for every path (`/{*splat}`) also sets req.route: when no controller route took the
  // request afterwards, that catch-all is what is left, and the request matched nothing.
  if (typeof route?.path !== 'string' || route.path.includes('*')) return 'unmatched';
  return `${req.baseUrl}${route.path}`;
}
