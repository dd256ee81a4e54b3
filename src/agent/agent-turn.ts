/**
 * The contract between the channels (SMS/WhatsApp webhook, ConversationRelay, Media Streams fallbacks) and the
 * brains: a conversation and the new input in, a stream of text and actions out.
 */
export type AgentChannel = 'voice' | 'sms' | 'whatsapp';

export interface AgentTurnRequest {
  companyId: string;
  channel: AgentChannel;
  /** The caller's or texter's number in E.164: with the channel, it keys the stored conversation. */
  contact: string;
  /** What the caller said or wrote. */
  text: string;
  /** Set on voice calls. */
  callSid?: string;
  /** The platform user the dialed number belongs to, for usage attribution. */
  userId?: string | null;
  /** The inbound message's id (an SMS/WhatsApp MessageSid): a redelivered message is not stored twice. */
  turnId?: string;
  /** Aborted on barge-in or hang-up: the brain stops producing and records nothing more for this turn. */
  signal?: AbortSignal;
}

export type AgentEvent =
  /** A piece of the answer, in order; voice channels speak each as it arrives. */
  | { type: 'text'; text: string }
  /** Hand the caller to a person (the transfer number from the agent configuration). */
  | { type: 'transfer'; reason: string }
  /** Say goodbye and hang up. */
  | { type: 'end_call'; reason: string }
  /** The agent took a message for the company. */
  | { type: 'message_taken'; message: string };
