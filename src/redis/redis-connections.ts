import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/** A command that Redis has not answered within this time is given up: callers then fall back to per-instance work. */
const COMMAND_TIMEOUT_MS = 250;

/**
 * The app's Redis connections when REDIS_URL is set: one for commands (shared rate-limit counters, publishing
 * notices) and one per subscriber. Commands never wait in an offline queue: while Redis is down they fail at once,
 * so a caller can degrade instead of stalling. ioredis reconnects by itself.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly opened: Redis[] = [];
  /** The commands connection; undefined without REDIS_URL. */
  readonly commands: Redis | undefined;

  constructor(private readonly config: AppConfig) {
    this.commands = config.redis.url ? this.open('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: COMMAND_TIMEOUT_MS }) : undefined;
  }

  get keyPrefix(): string {
    return this.config.redis.keyPrefix;
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.commands?.status === 'ready';
  }

  /** A new connection for SUBSCRIBE (a subscribed connection takes no other commands); undefined without REDIS_URL. */
  subscriber(): Redis | undefined {
    return this.config.redis.url ? this.open('subscriber', { maxRetriesPerRequest: null }) : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.opened.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }

  private open(role: string, options: RedisOptions): Redis {
    const connection = new Redis(this.config.redis.url!, {
      ...options,
      connectTimeout: 2_000,
      // Reconnect quickly at first, then every 2 s, for as long as the process runs.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    let down = false;
    connection.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.logger.warn({ event: 'redis_unavailable', role, err: error.message }, 'Redis is unreachable: falling back to per-instance work until it returns');
    });
    connection.on('ready', () => {
      if (down) this.logger.log({ event: 'redis_available', role }, 'Redis is reachable again');
      down = false;
    });
    this.opened.push(connection);
    return connection;
  }
}
