import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { AdminGuard } from './admin.guard.js';
import { AuthenticatedUser } from './authenticated-user.js';
import { CompanyMemberGuard } from './company-member.guard.js';

export const IS_PUBLIC = 'auth:public';
export const COMPANY_ROLES = 'auth:company-roles';

export type CompanyRole = 'owner' | 'admin' | 'member';

/** Opts a route out of the access-token guard (health, docs, Twilio webhooks guarded by their signature). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Any signed-in user. */
export const SignedIn = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No valid access token', type: ApiErrorDto }),
    // Every signed-in route is under /api, which src/limits limits per user.
    ApiTooManyRequestsResponse({ description: 'Too many requests from this user (RATE_LIMIT_API); see Retry-After', type: ApiErrorDto }),
  );

/** Platform admins only (`app_metadata.role = "admin"`). */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SignedIn(),
    UseGuards(AdminGuard),
    ApiForbiddenResponse({ description: 'The user is not a platform admin', type: ApiErrorDto }),
  );

/**
 * Members of the company named by the route's `company_id` (path, then query, then body); with roles, only
 * those roles. Platform admins pass.
 */
export const CompanyAccess = (...roles: CompanyRole[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SignedIn(),
    SetMetadata(COMPANY_ROLES, roles.length > 0 ? roles : ['owner', 'admin', 'member']),
    UseGuards(CompanyMemberGuard),
    ApiForbiddenResponse({ description: 'The user is not a member of this company, or lacks the role', type: ApiErrorDto }),
  );

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const request = ctx.switchToHttp().getRequest<Request & { user?: AuthenticatedUser }>();
  return request.user!;
});
