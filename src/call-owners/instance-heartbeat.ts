import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { CallOwnersRepository } from './call-owners.repository.js';
import { InstanceIdentity } from './instance-identity.js';

/**
 * Records every INSTANCE_HEARTBEAT_SECONDS that this instance is alive, so other instances can tell its calls
 * from a dead instance's. One row per instance rather than per call: 200 live calls cost one write per beat.
 * A failed beat is only logged: the next one may succeed, and a database that stays away makes the instance look
 * dead, which is what it is to the others.
 */
@Injectable()
export class InstanceHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('InstanceHeartbeat');
  private timer?: NodeJS.Timeout;
  private beating = false;

  constructor(
    private readonly identity: InstanceIdentity,
    private readonly owners: CallOwnersRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.callOwners.heartbeatSeconds * 1000);
    this.timer.unref();
  }

  /** Once the drain is over: no more beats, and the instance says it is gone so its leftovers are reconciled now. */
  async stop(): Promise<void> {
    this.stopBeating();
    try {
      await this.owners.stopped(this.identity.id);
      this.logger.log({ event: 'instance_stopped', instance_id: this.identity.id }, 'Recorded this instance as stopped');
    } catch (error) {
      // Then the others find it dead INSTANCE_DEAD_AFTER_SECONDS later instead.
      this.logger.warn({ event: 'instance_stop_not_recorded', instance_id: this.identity.id, err: error }, 'Could not record this instance as stopped');
    }
  }

  onApplicationShutdown(): void {
    this.stopBeating();
  }

  private stopBeating(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.owners.heartbeat(this.identity.id, this.identity.host, this.identity.pid);
    } catch (error) {
      this.logger.warn({ event: 'instance_heartbeat_failed', instance_id: this.identity.id, err: error }, 'Heartbeat not recorded; retrying at the next beat');
    } finally {
      this.beating = false;
    }
  }
}
