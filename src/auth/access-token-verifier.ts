import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { AppConfig } from '../config/app-config.js';
import { AuthenticatedUser } from './authenticated-user.js';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const ASYMMETRIC = ['ES256', 'RS256'];
/** Seconds of clock difference allowed between Supabase's clock and ours (exp, iat). */
const CLOCK_SKEW_SECONDS = 5;
/** Supabase user ids are UUIDs; `sub` goes into SQL as one. The nil UUID is no user. */
const USER_ID = /^(?!0{8}-0{4}-0{4}-0{4}-0{12}$)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies Supabase access tokens locally. The header's `alg` only picks the path (legacy HS256 secret, or the
 * project's JWKS); each path has a fixed algorithm list. Audience `authenticated`, expiry, `sub` and (with
 * SUPABASE_URL) the issuer are required, and `role` must be `authenticated`, so the anon and service-role keys,
 * which are JWTs too, never pass as users.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly issuer?: string;
  private jwks?: JWTVerifyGetKey;

  constructor(private readonly config: AppConfig) {
    const { jwtSecret, supabaseUrl } = config.auth;
    this.secret = jwtSecret ? new TextEncoder().encode(jwtSecret) : undefined;
    this.issuer = supabaseUrl ? `${supabaseUrl}/auth/v1` : undefined;
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new InvalidTokenError('The access token is malformed');
    }
    const options = {
      audience: 'authenticated',
      issuer: this.issuer,
      requiredClaims: ['sub', 'exp'],
      clockTolerance: CLOCK_SKEW_SECONDS,
    };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] }));
      } else if (this.config.auth.supabaseUrl && alg !== undefined && ASYMMETRIC.includes(alg)) {
        ({ payload } = await jwtVerify(token, this.keySet(), { ...options, algorithms: ASYMMETRIC }));
      } else {
        throw new InvalidTokenError(`Tokens signed with ${alg ?? 'no algorithm'} are not accepted`);
      }
    } catch (error) {
      throw toInvalidToken(error);
    }
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) {
      throw new InvalidTokenError('The access token\'s "sub" claim is not a user id (a UUID)');
    }
    // jose checks iat only against a maximum age: a token "issued" in the future would stay valid until its exp.
    if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS)) {
      throw new InvalidTokenError('The access token\'s "iat" claim is in the future; check the clocks or sign in again');
    }
    if (payload.role !== 'authenticated') {
      throw new InvalidTokenError('The token is not a signed-in user\'s token (role must be "authenticated")');
    }
    const appMetadata = (payload.app_metadata ?? {}) as Record<string, unknown>;
    return {
      id: payload.sub!,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      role: payload.role,
      isAdmin: appMetadata.role === 'admin',
      expiresAt: new Date(payload.exp! * 1000),
      issuedAt: payload.iat ? new Date(payload.iat * 1000) : undefined,
      issuer: payload.iss,
    };
  }

  /**
   * Created on first use and cached by jose: an unreachable JWKS never blocks start-up (a failed fetch is retried
   * by the next token), and a token with a key id not in the cache refetches the set (at most once a cooldown), so
   * a rotated key is accepted without a restart. The cache lives 10 minutes, as Supabase's own clients cache it.
   */
  private keySet(): JWTVerifyGetKey {
    this.jwks ??= createRemoteJWKSet(new URL(`${this.config.auth.supabaseUrl}/auth/v1/.well-known/jwks.json`), {
      timeoutDuration: 3000,
      cacheMaxAge: 10 * 60 * 1000,
      cooldownDuration: this.config.auth.jwksCooldownMs ?? 30_000,
    });
    return this.jwks;
  }
}

function toInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error;
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('The access token has expired; sign in again');
  if (error instanceof errors.JWTClaimValidationFailed) return new InvalidTokenError(`The access token's "${error.claim}" claim is not accepted`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError("The access token's algorithm is not accepted");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError("The access token's signature is invalid");
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError('The access token was signed with an unknown key');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError) return new InvalidTokenError('The access token could not be verified');
  return new InvalidTokenError('The access token could not be verified');
}
