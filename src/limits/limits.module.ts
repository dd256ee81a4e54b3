import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config.js';
import { RedisConnections } from '../redis/redis-connections.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { SharedThrottlerStorage } from './shared-throttler.storage.js';

/**
 * Rate limits (RATE_LIMIT_*). Counters live in Redis when REDIS_URL is set (one limit across every instance behind
 * a load balancer), in this instance's memory otherwise or while Redis is down (docs/deploy.md). Import after AuthModule: global guards run in registration order, and
 * the per-user limit needs the user the access-token guard has verified.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisConnections],
      useFactory: (config: AppConfig, redis: RedisConnections) => {
        const { windowSeconds, api, twilio } = config.http.rateLimit;
        const throttlers: ThrottlerOptions[] = [];
        if (api > 0) throttlers.push({ name: 'api', ttl: windowSeconds * 1000, limit: api });
        if (twilio > 0) throttlers.push({ name: 'twilio', ttl: windowSeconds * 1000, limit: twilio });
        return { throttlers, storage: new SharedThrottlerStorage(redis) };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }, AuthFailureLimiter],
  // For the access-token guard: requests it refuses count against their address (global, as AuthModule comes first).
  exports: [AuthFailureLimiter],
})
export class LimitsModule {}
