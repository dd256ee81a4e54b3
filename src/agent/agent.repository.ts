import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { AgentContext, UsageEventInput } from './agent-context.js';
import type { AgentChannel } from './agent-turn.js';

export interface StoredTurn {
  role: 'user' | 'agent';
  text: string;
  action?: string | null;
  brain?: string | null;
}

/** The agent module's SQL (sql/0013); private to the module. */
@Injectable()
export class AgentRepository {
  constructor(private readonly db: Database) {}

  context(
    companyId: string,
    channel: AgentChannel,
    contact: string,
    callSid: string | null,
    text: string,
    passages: number,
    historyTurns: number,
    historyHours: number,
  ): Promise<AgentContext> {
    return this.db.call('get_agent_context', {
      p_company_id: companyId,
      p_channel: channel,
      p_contact: contact,
      p_call_sid: callSid,
      p_text: text,
      p_passages: passages,
      p_history_turns: historyTurns,
      p_history_hours: historyHours,
    });
  }

  recordTurns(args: {
    companyId: string;
    channel: AgentChannel;
    contact: string;
    userId: string | null;
    callSid: string | null;
    turnKey: string | null;
    turns: StoredTurn[];
    usage: UsageEventInput[];
  }): Promise<{ conversation_id: string; stored_turns: number }> {
    return this.db.call('record_conversation_turns', {
      p_company_id: args.companyId,
      p_channel: args.channel,
      p_contact: args.contact,
      p_user_id: args.userId,
      p_call_sid: args.callSid,
      p_turn_key: args.turnKey,
      p_turns: args.turns,
      p_usage: args.usage,
    });
  }

  recordUsage(companyId: string, userId: string | null, callSid: string | null, events: UsageEventInput[]): Promise<{ recorded: number }> {
    return this.db.call('record_agent_usage', { p_company_id: companyId, p_user_id: userId, p_call_sid: callSid, p_events: events });
  }

  /** Messages the agent took, newest first; `before` is the last row of the previous page. */
  takenMessages<T>(companyId: string, limit: number, before: { createdAt: string; id: string } | null): Promise<T[]> {
    return this.db.call('list_taken_messages', {
      p_company_id: companyId,
      p_limit: limit,
      p_before_created_at: before?.createdAt ?? null,
      p_before_id: before?.id ?? null,
    });
  }

  /** SMS and WhatsApp threads, most recently active first, each with its latest turns. */
  conversations<T>(companyId: string, channel: string | null, limit: number, turns: number, before: { updatedAt: string; id: string } | null): Promise<T[]> {
    return this.db.call('list_company_conversations', {
      p_company_id: companyId,
      p_channel: channel,
      p_limit: limit,
      p_turns: turns,
      p_before_updated_at: before?.updatedAt ?? null,
      p_before_id: before?.id ?? null,
    });
  }
}
