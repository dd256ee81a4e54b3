import { Global, Module } from '@nestjs/common';
import { CacheNotices } from './cache-notices.service.js';

/** Cross-instance cache notices, for every module that keeps something in memory that another instance may change. */
@Global()
@Module({
  providers: [CacheNotices],
  exports: [CacheNotices],
})
export class CoherenceModule {}
