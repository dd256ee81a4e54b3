import type { StreamKind } from '../twilio/stream-token.service.js';

export const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const FINAL_CALL_STATUSES: readonly CallStatus[] = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];

export type CallOutcome = 'connected' | 'refused_limit' | 'refused_after_hours' | 'not_handled';

/** A call session as the database returns it (`call_session_json`). */
export interface CallSession {
  id: string;
  call_sid: string;
  company_id: string;
  user_id: string | null;
  from_number: string | null;
  to_number: string | null;
  direction: string;
  status: CallStatus;
  outcome: CallOutcome;
  voice_path: StreamKind | null;
  account_sid: string | null;
  path_company_id: string | null;
  matched_table: 'phone_numbers' | 'phone_number_users' | 'path' | null;
  company_mismatch: boolean;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  last_sequence_number: number | null;
}

/** The agent configuration fields the incoming-call webhook uses (defaults applied in SQL). */
export interface CallAgentConfig {
  name: string;
  language: string;
  /** ConversationRelay's voice, always with its tts_provider. */
  voice: string | null;
  tts_provider: string | null;
  greeting: string | null;
  voice_path: StreamKind;
  transfer_number: string | null;
  fallback_number: string | null;
  business_hours: unknown;
  max_concurrent_calls: number | null;
}

export type OpenedCallSession =
  (CallSession & { created: boolean; config: CallAgentConfig }) | { outcome: 'unknown_company'; created: false; path_company_id: string | null };

export interface HandoffTarget {
  call_sid: string;
  company_id: string;
  language: string;
  transfer_number: string | null;
  fallback_number: string | null;
  /** The agent failed the call and the gateway gave up its stream (sql/0091): the caller is owed an apology and a person. */
  rescue_requested?: boolean;
}

export type RecordedCallStatus =
  { found: false; call_sid: string } | (CallSession & { found: true; duplicate: boolean; applied: boolean; usage_event_id?: string | null });
