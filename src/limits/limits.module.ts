import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * Rate limits (RATE_LIMIT_*). Counters live in this instance's memory: behind a load balancer each instance
 * counts on its own (docs/deploy.md). Import after AuthModule: global guards run in registration order, and
 * the per-user limit needs the user the access-token guard has verified.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const { windowSeconds, api, twilio } = config.http.rateLimit;
        const throttlers: ThrottlerOptions[] = [];
        if (api > 0) throttlers.push({ name: 'api', ttl: windowSeconds * 1000, limit: api });
        if (twilio > 0) throttlers.push({ name: 'twilio', ttl: windowSeconds * 1000, limit: twilio });
        return { throttlers };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }, AuthFailureLimiter],
  // For the access-token guard: requests it refuses count against their address (global, as AuthModule comes first).
  exports: [AuthFailureLimiter],
})
export class LimitsModule {}
