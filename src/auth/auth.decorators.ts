import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { AdminGuard } from './admin.guard.js';
import { AuthenticatedUser } from './authenticated-user.js';
import type { CompanyRole, TenantSource } from './tenant.js';
import { COMPANY_ROLES, TENANT_SOURCE, TenantGuard } from './tenant.guard.js';

export type { CompanyRole } from './tenant.js';

export const IS_PUBLIC = 'auth:public';

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
  applyDecorators(SignedIn(), UseGuards(AdminGuard), ApiForbiddenResponse({ description: 'The user is not a platform admin', type: ApiErrorDto }));

const ALL_ROLES: CompanyRole[] = ['owner', 'admin', 'member'];

/**
 * Members of the route's company, read from the one place the route declares (`path`, `body`, `query`, or the
 * owner of a resource named in the path); with roles, only those roles. Platform admins pass. The handler takes
 * the verified company with `@CurrentTenant()`.
 */
export const CompanyAccess = (source: TenantSource, ...roles: CompanyRole[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SignedIn(),
    SetMetadata(TENANT_SOURCE, source),
    SetMetadata(COMPANY_ROLES, roles.length > 0 ? roles : ALL_ROLES),
    UseGuards(TenantGuard),
    ApiForbiddenResponse({ description: 'The user is not a member of this company, or lacks the role', type: ApiErrorDto }),
  );

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const request = ctx.switchToHttp().getRequest<Request & { user?: AuthenticatedUser }>();
  return request.user!;
});
