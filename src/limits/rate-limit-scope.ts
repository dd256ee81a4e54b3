import { ExecutionContext, Type } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TwilioSignatureGuard } from '../twilio/twilio-signature.guard.js';

export type RateLimitScope = 'api' | 'twilio' | 'unauthenticated';

/**
 * Which limit a route falls under: `/api` (frontends, per user) or Twilio-facing (every route behind
 * `@TwilioWebhook()`, per source address), decided from the route itself so that new modules need no
 * registration. Health, metrics and docs have no limit.
 */
export function rateLimitScope(context: ExecutionContext, reflector: Reflector): RateLimitScope | null {
  if (context.getType() !== 'http') return null;
  const guards = reflector.getAllAndMerge<Type[]>(GUARDS_METADATA, [context.getHandler(), context.getClass()]) ?? [];
  if (guards.includes(TwilioSignatureGuard)) return 'twilio';
  return isApiPath(context.switchToHttp().getRequest<Request>().path) ? 'api' : null;
}

/** `/api` as the router matches it: case-insensitively, so `/API/...` is the same route and the same budget. */
export function isApiPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/api' || lower.startsWith('/api/');
}
