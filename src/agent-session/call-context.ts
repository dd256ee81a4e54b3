import type { StreamKind } from '../twilio/stream-token.service.js';

/** The company's agent as a call needs it (from `agent_configs`, defaults where the company has none). */
export interface AgentProfile {
  name: string;
  language: string;
  greeting: string | null;
  instructions: string | null;
  /** ConversationRelay's voice (of tts_provider); never sent to the realtime model. */
  voice: string | null;
  tts_provider: string | null;
  /** The realtime model's voice (OpenAI). */
  realtime_voice: string | null;
  voice_path: StreamKind;
  transfer_number: string | null;
  fallback_number: string | null;
}

export interface KnowledgePassage {
  title: string;
  content: string;
  /** Search rank; absent on the digest handed to the realtime model. */
  rank?: number;
}

/** Everything a gateway knows about a call once its stream token has been claimed. */
export interface CallContext {
  call_sid: string;
  company_id: string;
  company_name: string;
  user_id: string | null;
  from_number: string | null;
  to_number: string | null;
  profile: AgentProfile;
  /** A bounded digest of the knowledge base (realtime path only; empty on ConversationRelay). */
  knowledge: KnowledgePassage[];
  /** This stream's claim of the call (set at admission, not by the session function); absent when it could not be written. */
  stream?: StreamIdentity;
}

/** One stream of a call: its id (the stream token's jti) and the order of its claim among all claims. */
export interface StreamIdentity {
  id: string;
  generation: number;
}
