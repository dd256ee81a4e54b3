/**
 * What one instance changed that others may hold in memory. Written by the database's triggers (sql/0130, channel
 * `cache_notices`) or published to Redis; `reset` is local: a channel (re)connected and notices may have been missed.
 */
export type CacheNotice =
  | { kind: 'phone_number'; phone_number: string }
  | { kind: 'company'; company_id: string }
  /** A stream claimed a call; `generation` orders claims (the higher is the newer). */
  | { kind: 'call_stream'; call_sid: string; stream_id: string; generation: number }
  | { kind: 'reset' };

/** The PostgreSQL channel and the Redis channel (after the key prefix). */
export const CACHE_NOTICE_CHANNEL = 'cache_notices';

/** A notice from its JSON text, or undefined for anything this version does not know (a newer instance's notice). */
export function parseCacheNotice(text: string): CacheNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const notice = value as Record<string, unknown>;
  const text_ = (key: string): key is string => typeof notice[key] === 'string';
  switch (notice.kind) {
    case 'phone_number':
      return text_('phone_number') ? { kind: 'phone_number', phone_number: notice.phone_number as string } : undefined;
    case 'company':
      return text_('company_id') ? { kind: 'company', company_id: notice.company_id as string } : undefined;
    case 'call_stream':
      return text_('call_sid') && text_('stream_id') && typeof notice.generation === 'number'
        ? { kind: 'call_stream', call_sid: notice.call_sid as string, stream_id: notice.stream_id as string, generation: notice.generation }
        : undefined;
    default:
      return undefined;
  }
}
