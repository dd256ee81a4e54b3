import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { UsageEventInput } from '../agent/agent-context.js';

/** The messaging module's SQL; private to the module. */
@Injectable()
export class MessagingRepository {
  constructor(private readonly db: Database) {}

  /** The agent's reply already stored for this message (sql/0092), or null. */
  storedReply(companyId: string, channel: string, contact: string, messageSid: string): Promise<string | null> {
    return this.db.call('get_conversation_reply', { p_company_id: companyId, p_channel: channel, p_contact: contact, p_turn_key: messageSid });
  }

  recordUsage(companyId: string, userId: string | null, events: UsageEventInput[]): Promise<{ recorded: number }> {
    return this.db.call('record_agent_usage', { p_company_id: companyId, p_user_id: userId, p_call_sid: null, p_events: events });
  }
}
