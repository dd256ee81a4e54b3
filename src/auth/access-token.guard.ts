import { CanActivate, ExecutionContext, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AccessTokenVerifier, InvalidTokenError } from './access-token-verifier.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { IS_PUBLIC } from './auth.decorators.js';
import { AuthenticatedUser } from './authenticated-user.js';

/** Global and deny-by-default: every HTTP route needs a valid Supabase access token unless marked @Public(). */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    /** Absent only in apps built without LimitsModule. */
    @Optional() private readonly failures?: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthenticatedUser }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    try {
      if (!match) throw new InvalidTokenError('Send a Supabase access token as "Authorization: Bearer <token>"');
      request.user = await this.verifier.verify(match[1]);
      return true;
    } catch (error) {
      const response = context.switchToHttp().getResponse<Response>();
      await this.failures?.refused(request, response);
      const message = error instanceof InvalidTokenError ? error.message : 'The access token could not be verified';
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new UnauthorizedException(message);
    }
  }
}
