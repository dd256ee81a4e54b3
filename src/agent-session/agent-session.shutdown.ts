import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InstanceHeartbeat } from '../call-owners/instance-heartbeat.js';
import { AppConfig } from '../config/app-config.js';
import { LiveCallRegistry } from './live-calls.registry.js';

/**
 * Graceful shutdown (SIGTERM, or app.close()): stop taking new streams, let live calls go on for up to
 * SHUTDOWN_DRAIN_SECONDS, then end the rest politely. Runs before Nest closes the WebSocket servers and the database,
 * so the last transcript turns are still written.
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
