/** Event types of the outbox (DESIGN §4). The first four are delivered by webhook; the last two are live-stream only. */
export const WEBHOOK_EVENT_TYPES = ['call.completed', 'call.cost_updated', 'message.taken', 'bundle.updated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const LIVE_EVENT_TYPES = ['call.started', 'call.transcript'] as const;
export type CompanyEventType = WebhookEventType | (typeof LIVE_EVENT_TYPES)[number];

/** The body of every webhook delivery and every stream event: `{ id, type, created_at, company_id, data }`. */
export interface CompanyEvent {
  id: string;
  type: CompanyEventType;
  created_at: string;
  company_id: string;
  data: Record<string, unknown>;
}

/** An event with its position in the outbox (the SSE event id). */
export interface SequencedEvent extends CompanyEvent {
  seq: number;
}
