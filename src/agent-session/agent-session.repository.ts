import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { StreamTokenClaims } from '../twilio/stream-token.service.js';
import type { CallContext } from './call-context.js';

export interface TranscriptTurn {
  role: 'caller' | 'agent' | 'system';
  text: string;
  interrupted?: boolean;
  latency?: TurnLatency | null;
}

/** Per agent turn, stored on the transcript: end of the caller's speech → first agent audio or text. */
export interface TurnLatency {
  end_of_speech_to_first_output_ms: number;
  /** The brain or speech-to-speech provider's share. */
  provider_ms: number;
  /** Ours: loading, relaying, sending. */
  ours_ms: number;
}

/** A message the agent took on a call, for the company (sql/0100 turns it into a `message.taken` event). */
export interface TakenCallMessage {
  company_id: string;
  call_sid: string;
  /** The caller's number, when Twilio gave one. */
  contact: string | null;
  text: string;
}

/** A stream's claim of its call (sql/0130): `generation` orders the claims of every call. */
export interface StreamClaim {
  stream_id: string;
  generation: number;
  replaced_stream_id: string | null;
}

export interface CallUsage {
  company_id: string;
  user_id: string | null;
  call_sid: string;
  kind: string;
  quantity: number;
  unit: string;
  cost_usd: number;
  idempotency_key: string;
}

/** The agent-session module's SQL functions (sql/0030_agent_session.sql). Private to this module. */
@Injectable()
export class AgentSessionRepository {
  constructor(private readonly db: Database) {}

  /** Marks the call as failed by its agent (sql/0091), for the `<Connect action>` request that follows. */
  requestRescue(callSid: string): Promise<boolean> {
    return this.db.call('request_call_rescue', { p_call_sid: callSid });
  }

  /** The call as the company sees it (its latest status), or null when the company has no such call. */
  companyCall(companyId: string, callSid: string): Promise<{ status: string; ended_at: string | null } | null> {
    return this.db.call<'get_company_call', { status: string; ended_at: string | null } | null>('get_company_call', { p_company_id: companyId, p_call_sid: callSid });
  }

  /** The newest stream of a call takes it (sql/0130); the instance holding an older one hears it and closes that. */
  claimStream(callSid: string, streamId: string): Promise<StreamClaim> {
    return this.db.call<'claim_call_stream', StreamClaim>('claim_call_stream', { p_call_sid: callSid, p_stream_id: streamId });
  }

  openSession(claims: StreamTokenClaims, knowledgeChars: number): Promise<CallContext> {
    return this.db.call<'open_agent_session', CallContext>('open_agent_session', {
      p_jti: claims.jti,
      p_call_sid: claims.call_sid,
      p_company_id: claims.company_id,
      p_kind: claims.kind,
      p_expires_at: new Date(claims.exp * 1000).toISOString(),
      p_knowledge_chars: knowledgeChars,
      p_user_id: claims.user_id ?? null,
      p_from: claims.from ?? null,
      p_to: claims.to ?? null,
    });
  }

  appendTranscript(callSid: string, companyId: string, turn: TranscriptTurn): Promise<{ seq: number }> {
    return this.db.call('record_call_turn', {
      p_call_sid: callSid,
      p_company_id: companyId,
      p_role: turn.role,
      p_text: turn.text,
      p_interrupted: turn.interrupted ?? false,
      p_latency: turn.latency ?? null,
    });
  }

  recordTakenMessage(message: TakenCallMessage): Promise<{ id: string }> {
    return this.db.call<'record_taken_message', { id: string }>('record_taken_message', {
      p_company_id: message.company_id,
      p_channel: 'voice',
      p_contact: message.contact,
      p_call_sid: message.call_sid,
      p_text: message.text,
    });
  }

  /** The same usage writer as the text channels: one event, written once per idempotency key. */
  recordUsage(usage: CallUsage): Promise<{ recorded: number }> {
    const { company_id, user_id, call_sid, ...event } = usage;
    return this.db.call('record_agent_usage', {
      p_company_id: company_id,
      p_user_id: user_id,
      p_call_sid: call_sid,
      p_events: [event],
    });
  }
}
