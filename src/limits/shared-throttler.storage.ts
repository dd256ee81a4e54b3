import { Logger } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { RedisConnections } from '../redis/redis-connections.js';

/**
 * One fixed window per key, counted atomically in Redis. KEYS: hits, block. ARGV: window ms, limit, block ms.
 * Returns hits, window ms left, blocked (0|1), block ms left.
 */
const INCREMENT_SCRIPT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked }
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  if block > 0 then
    redis.call('SET', KEYS[2], '1', 'PX', block)
    return { hits, left, 1, block }
  end
  return { hits, left, 1, left }
end
return { hits, left, 0, 0 }
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * The throttler's counters: in Redis when REDIS_URL is set, so that every instance meets one limit; in this
 * instance's memory otherwise, and whenever Redis does not answer (an outage degrades to per-instance limits and
 * never refuses traffic because the counter is unreachable).
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private readonly local = new ThrottlerStorageService();
  private degraded = false;

  constructor(private readonly redis: RedisConnections) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const commands = this.redis.commands;
    if (commands && this.redis.ready) {
      try {
        const base = `${this.redis.keyPrefix}throttle:${throttlerName}:${key}`;
        const [hits, left, blocked, blockLeft] = (await commands.eval(INCREMENT_SCRIPT, 2, `${base}:hits`, `${base}:block`, ttl, limit, blockDuration)) as number[];
        this.recovered();
        return { totalHits: hits, timeToExpire: seconds(left), isBlocked: blocked === 1, timeToBlockExpire: blocked === 1 ? seconds(blockLeft) : 0 };
      } catch (error) {
        this.degrade(error);
      }
    } else if (commands) {
      this.degrade(new Error(`Redis connection is ${commands.status}`));
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  private degrade(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn({ event: 'rate_limits_per_instance', err: (error as Error).message }, 'Redis did not answer: rate limits count per instance until it does');
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log({ event: 'rate_limits_shared' }, 'Redis answers again: rate limits are shared by every instance');
  }
}
