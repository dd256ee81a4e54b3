import { createParamDecorator, ExecutionContext, InternalServerErrorException } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedUser } from './authenticated-user.js';

export type CompanyRole = 'owner' | 'admin' | 'member';

/** The caller's standing in the tenant: a member role, or a platform admin acting on any company. */
export type ActingRole = CompanyRole | 'platform_admin';

/** Resources addressed by their own id, authorised through the company that owns them. */
export type ResourceKind = 'bundle';

/**
 * Where a route's company comes from (DESIGN §4): the `company_id` path parameter, the JSON body, the query, or
 * the owner of a resource named by a path parameter. Exactly one place per route.
 */
export type TenantSource = 'path' | 'body' | 'query' | { resource: ResourceKind; param: string };

/** The company a request acts on, verified by TenantGuard: services take this, never a DTO's company_id. */
export interface Tenant {
  readonly companyId: string;
  readonly role: ActingRole;
  readonly user: AuthenticatedUser;
}

export type TenantRequest = Request & { user?: AuthenticatedUser; tenant?: Tenant };

/** Owners (and platform admins) alone hand out or take away ownership. */
export function mayManageOwners(tenant: Tenant): boolean {
  return tenant.role === 'owner' || tenant.role === 'platform_admin';
}

/** The verified tenant of a route declared with `@CompanyAccess(...)`. */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): Tenant => {
  const tenant = ctx.switchToHttp().getRequest<TenantRequest>().tenant;
  // A handler asking for a tenant on a route without @CompanyAccess is a programming error, not a client's.
  if (!tenant) throw new InternalServerErrorException('This route has no verified tenant');
  return tenant;
});
