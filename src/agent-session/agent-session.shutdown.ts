import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { InstanceHeartbeat } from '../call-owners/instance-heartbeat.js';
import { AppConfig } from '../config/app-config.js';
import { LiveCallRegistry } from './live-calls.registry.js';

/**
 * Graceful shutdown (SIGTERM, or app.close()), before Nest closes the HTTP server, the WebSocket servers and the
 * database:
 * 1. `/health` turns 503 at once, but webhooks and streams are still served for SHUTDOWN_DEREGISTER_SECONDS: until
 *    the load balancer's health check has taken this instance out, it keeps sending calls here, and a webhook or a
 *    stream refused (or a closed port) in that window is a caller who hears an error.
 * 2. New streams are refused; live calls go on for up to SHUTDOWN_DRAIN_SECONDS, then the rest end politely, so the
 *    last transcript turns are still written.
 */
@Injectable()
export class AgentSessionShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AgentSessionShutdown');

  constructor(
    private readonly calls: LiveCallRegistry,
    private readonly config: AppConfig,
    private readonly heartbeat: InstanceHeartbeat,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.calls.stopBeingReady();
    const deregisterMs = this.config.agentSession.deregisterSeconds * 1000;
    if (deregisterMs > 0) {
      this.logger.log({ event: 'drain_deregistering', deregister_ms: deregisterMs, signal }, 'Not ready: still serving while the load balancer notices');
      await sleep(deregisterMs);
    }
    this.calls.stopAccepting();
    await this.drain(signal);
    // Only now, with no call left on this instance, may the others reconcile what remains in its name.
    await this.heartbeat.stop();
  }

  private async drain(signal?: string): Promise<void> {
    const live = this.calls.list();
    if (live.length === 0) return;
    const drainMs = this.config.agentSession.drainSeconds * 1000;
    this.logger.log({ event: 'drain_started', live_calls: live.length, drain_ms: drainMs, signal }, `Draining ${live.length} live call(s)`);
    const allFinished = Promise.all(live.map((call) => call.finished));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([allFinished.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), drainMs)))]);
    clearTimeout(timer);
    if (!timedOut) {
      this.logger.log({ event: 'drain_completed' }, 'Every live call ended within the drain time');
      return;
    }
    const remaining = this.calls.list();
    this.logger.warn({ event: 'drain_timeout', ending: remaining.length }, `Ending ${remaining.length} call(s) politely`);
    await Promise.all(remaining.map((call) => call.endPolitely('shutdown').catch(() => call.terminate('shutdown'))));
  }
}
