import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

export type StreamKind = 'conversation_relay' | 'media_stream';

export interface StreamTokenClaims {
  /** The CallSid the token was issued for. */
  call_sid: string;
  company_id: string;
  kind: StreamKind;
  /** The platform user the dialed number belongs to, and the call's numbers: enough to rebuild the call session
   * complete if the database lost it after the caller heard <Connect> (a crash). Absent in older tokens. */
  user_id?: string | null;
  from?: string | null;
  to?: string | null;
  /** Unique id: the gateway claims it in the database so that a token serves one stream only. */
  jti: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** What the incoming-call webhook knew about the call, carried in the token. */
export interface StreamCallFacts {
  user_id: string | null;
  from: string | null;
  to: string | null;
}

export class InvalidStreamTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStreamTokenError';
  }
}

const DEFAULT_TTL_SECONDS = 120;

/**
 * The short-lived token the incoming-call TwiML hands to Twilio as `<Parameter name="token">`: HMAC-SHA256 over
 * its claims with SESSION_TOKEN_SECRET. Stateless to verify; single use is enforced by the gateway.
 */
@Injectable()
export class StreamTokenService {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(config.sessionTokenSecret, 'utf8');
  }

  issue(callSid: string, companyId: string, kind: StreamKind, ttlSeconds = DEFAULT_TTL_SECONDS, now = Date.now(), facts?: StreamCallFacts): string {
    const claims: StreamTokenClaims = { call_sid: callSid, company_id: companyId, kind, ...facts, jti: randomUUID(), exp: Math.floor(now / 1000) + ttlSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  verify(token: unknown, now = Date.now()): StreamTokenClaims {
    if (typeof token !== 'string' || token.length > 1024) throw new InvalidStreamTokenError('missing or oversized token');
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw new InvalidStreamTokenError('malformed token');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidStreamTokenError('bad signature');
    let claims: StreamTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as StreamTokenClaims;
    } catch {
      throw new InvalidStreamTokenError('malformed claims');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) throw new InvalidStreamTokenError('expired token');
    if (typeof claims.call_sid !== 'string' || typeof claims.company_id !== 'string' || typeof claims.jti !== 'string') {
      throw new InvalidStreamTokenError('incomplete claims');
    }
    for (const optional of [claims.user_id, claims.from, claims.to]) {
      if (optional !== undefined && optional !== null && typeof optional !== 'string') throw new InvalidStreamTokenError('malformed claims');
    }
    return claims;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
