import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerException, type ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { isApiPath } from './rate-limit-scope.js';

/**
 * The /api budget of requests that carry no valid access token, per source address (req.ip, which honours
 * TRUST_PROXY). The per-user limit cannot count them (there is no user), so without this an address could send
 * unlimited missing or forged tokens. Counted in the throttler's storage, like the other limits.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** Counts one refused request; throws a 429 (with Retry-After) once the address is over its budget. */
  async refused(request: Request, response: Response): Promise<void> {
    const { windowSeconds, unauthenticated: limit } = this.config.http.rateLimit;
    if (limit <= 0 || !isApiPath(request.path)) return;
    const ttl = windowSeconds * 1000;
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const record = await this.storage.increment(`unauthenticated:ip:${address}`, ttl, limit, ttl, 'unauthenticated');
    if (!record.isBlocked) return;
    const retryAfter = Math.max(1, Math.ceil(record.timeToBlockExpire));
    response.setHeader('Retry-After', String(retryAfter));
    this.metrics.rateLimited('unauthenticated');
    throw new ThrottlerException(
      `Too many requests without a valid access token: the limit is ${limit} requests per ${windowSeconds} s for each source address on /api. Retry after ${retryAfter} s.`,
    );
  }
}
