import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

export type StreamKind = 'conversation_relay' | 'media_stream';

export interface StreamTokenClaims {
  /** The CallSid the token was issued for. */
  call_sid: string;
  company_id: string;
  kind: StreamKind;
  /** Unique id: the gateway claims it in the database so that a token serves one stream only. */
  jti: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
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

  issue(callSid: string, companyId: string, kind: StreamKind, ttlSeconds = DEFAULT_TTL_SECONDS, now = Date.now()): string {
    const claims: StreamTokenClaims = { call_sid: callSid, company_id: companyId, kind, jti: randomUUID(), exp: Math.floor(now / 1000) + ttlSeconds };
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
    return claims;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
