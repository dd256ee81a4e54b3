import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Database } from '../database/database.js';
import { PgDatabase } from '../database/pg-database.js';
import { RedisConnections } from '../redis/redis-connections.js';
import { CACHE_NOTICE_CHANNEL, CacheNotice, parseCacheNotice } from './cache-notice.js';
import { PgNoticeListener } from './pg-notice-listener.js';

export type CacheNoticeHandler = (notice: CacheNotice) => void;

/**
 * Cross-instance cache notices (DESIGN §10). The database sends them itself (triggers of sql/0130 on every table an
 * instance caches, so every writer is covered) and each instance LISTENs on a dedicated connection of the `pg`
 * transport; with REDIS_URL the same notices also travel over Redis pub/sub, which is the only channel of the rpc
 * transport (supabase-js cannot LISTEN). Without a live channel, caches keep short lifetimes (`live` is false).
 * Whenever a channel (re)connects, handlers get `reset`: notices sent while it was down were missed.
 */
@Injectable()
export class CacheNotices implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CacheNotices');
  private readonly handlers = new Set<CacheNoticeHandler>();
  private listener: PgNoticeListener | undefined;
  private subscriber: Redis | undefined;
  /** application_name of this instance's LISTEN connection (one per instance, visible in pg_stat_activity). */
  readonly connectionName = `cache-notices-${randomUUID().slice(0, 8)}`;
  private pgLive = false;
  private redisLive = false;

  constructor(
    private readonly db: Database,
    private readonly redis: RedisConnections,
  ) {}

  /** Whether some channel delivers other instances' notices now; caches may then live long. */
  get live(): boolean {
    return this.pgLive || this.redisLive;
  }

  on(handler: CacheNoticeHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Tells every instance (this one included) about a change this instance made. The database already does so for
   * its own tables on the `pg` transport; this is for the rpc transport's Redis channel, and is a no-op without one.
   */
  publish(notice: Exclude<CacheNotice, { kind: 'reset' }>): void {
    this.deliver(notice);
    if (!this.redis.ready) return;
    this.redis.commands!.publish(this.redisChannel, JSON.stringify(notice)).catch((error: Error) => {
      this.logger.warn({ event: 'cache_notice_publish_failed', kind: notice.kind, err: error.message }, 'Could not publish a cache notice to Redis');
    });
  }

  onModuleInit(): void {
    if (this.db instanceof PgDatabase) {
      this.listener = new PgNoticeListener(this.db.pool.options, CACHE_NOTICE_CHANNEL, this.connectionName, {
        notice: (payload) => this.received(payload),
        connected: () => {
          this.pgLive = true;
          this.logger.log({ event: 'cache_notices_listening', channel: 'postgres' }, 'Listening for cache notices from PostgreSQL');
          this.deliver({ kind: 'reset' });
        },
        disconnected: (error) => {
          this.pgLive = false;
          this.logger.warn({ event: 'cache_notices_lost', channel: 'postgres', err: error?.message }, 'Lost the cache-notice connection; reconnecting');
          this.deliver({ kind: 'reset' });
        },
      });
      this.listener.start();
    }
    this.subscriber = this.redis.subscriber();
    if (this.subscriber) {
      const subscriber = this.subscriber;
      subscriber.on('message', (_channel: string, payload: string) => this.received(payload));
      subscriber.on('ready', () => {
        // Idempotent: ioredis also re-subscribes by itself after a reconnect.
        void subscriber.subscribe(this.redisChannel).catch(() => undefined);
        this.redisLive = true;
        this.deliver({ kind: 'reset' });
      });
      subscriber.on('close', () => {
        if (this.redisLive) this.deliver({ kind: 'reset' });
        this.redisLive = false;
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.handlers.clear();
    await this.listener?.stop();
  }

  private get redisChannel(): string {
    return `${this.redis.keyPrefix}${CACHE_NOTICE_CHANNEL}`;
  }

  private received(payload: string): void {
    const notice = parseCacheNotice(payload);
    if (notice) this.deliver(notice);
  }

  private deliver(notice: CacheNotice): void {
    for (const handler of this.handlers) {
      try {
        handler(notice);
      } catch (error) {
        this.logger.error({ event: 'cache_notice_handler_failed', kind: notice.kind, err: error }, 'A cache-notice handler failed');
      }
    }
  }
}
