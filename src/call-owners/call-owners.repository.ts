import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

/** Instance heartbeats and call ownership in SQL (sql/0120_call_owners_reconciliation.sql). */
@Injectable()
export class CallOwnersRepository {
  constructor(private readonly db: Database) {}

  heartbeat(instanceId: string, host: string, pid: number): Promise<{ instance_id: string; heartbeat_at: string }> {
    return this.db.call('record_instance_heartbeat', { p_instance_id: instanceId, p_host: host, p_pid: pid });
  }

  stopped(instanceId: string): Promise<boolean> {
    return this.db.call('record_instance_stopped', { p_instance_id: instanceId });
  }

  claimCall(callSid: string, instanceId: string): Promise<{ call_sid: string; owned: boolean }> {
    return this.db.call('claim_call_ownership', { p_call_sid: callSid, p_instance_id: instanceId });
  }

  streamEnded(callSid: string, instanceId: string): Promise<{ call_sid: string; recorded: boolean }> {
    return this.db.call('record_call_stream_ended', { p_call_sid: callSid, p_instance_id: instanceId });
  }
}
