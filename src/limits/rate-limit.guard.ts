import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RateLimitScope, rateLimitScope } from './rate-limit-scope.js';

/**
 * @nestjs/throttler with one budget per user across all of /api (the user from the access-token guard, which
 * runs first) and one per source address across the Twilio-facing routes; a 429 says which limit was met and
 * carries a standard Retry-After header.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: MetricsService,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(rateLimitScope(context, this.reflector) === null);
  }

  /** Each named throttler counts only the routes of its own scope. */
  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    if (request.throttler.name !== rateLimitScope(request.context, this.reflector)) return Promise.resolve(true);
    return super.handleRequest(request);
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(trackerOf(req as unknown as Request & { user?: AuthenticatedUser }));
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    // One budget per user (or address) for the whole scope, not one per route.
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const scope = detail.key.slice(0, detail.key.indexOf(':')) as RateLimitScope;
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    this.metrics.rateLimited(scope);
    const windowSeconds = Math.round(detail.ttl / 1000);
    const who = scope === 'api' ? 'each user on /api' : 'each source address on the Twilio webhooks';
    throw new ThrottlerException(`Too many requests: the limit is ${detail.limit} requests per ${windowSeconds} s for ${who}. Retry after ${retryAfter} s.`);
  }
}

/** The verified user on /api; otherwise the client address (Express's req.ip, which honours TRUST_PROXY). */
function trackerOf(req: Request & { user?: AuthenticatedUser }): string {
  return req.user ? `user:${req.user.id}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}
