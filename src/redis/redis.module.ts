import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections.js';

/** Redis when REDIS_URL is set (optional everywhere: every user of it works per instance without it). */
@Global()
@Module({
  providers: [RedisConnections],
  exports: [RedisConnections],
})
export class RedisModule {}
