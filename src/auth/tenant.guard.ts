import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isUUID } from 'class-validator';
import { AccessService, AccessTarget } from './access.service.js';
import type { CompanyRole, TenantRequest, TenantSource } from './tenant.js';

export const TENANT_SOURCE = 'auth:tenant-source';
export const COMPANY_ROLES = 'auth:company-roles';

type Place = 'path' | 'query' | 'body';
const PLACES: Place[] = ['path', 'query', 'body'];
const PLACE_NAMES: Record<Place, string> = { path: 'the path', query: 'the query', body: 'the body' };

/**
 * Resolves the tenant of a route from the one place the route declares, refuses a different `company_id`
 * anywhere else (400, before anything is read or written), checks the user's role through AccessService and
 * attaches the verified Tenant for `@CurrentTenant()`. Runs before interceptors, so a multipart upload is
 * authorised before its file is read.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const source = this.reflector.getAllAndOverride<TenantSource | undefined>(TENANT_SOURCE, targets);
    const roles = this.reflector.getAllAndOverride<CompanyRole[] | undefined>(COMPANY_ROLES, targets) ?? [];
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const user = request.user;
    if (!user) throw new ForbiddenException('Sign in first');
    if (source === undefined) throw new Error('TenantGuard on a route that declares no tenant source');

    const given = companyIdsOf(request);
    let target: AccessTarget;
    if (typeof source === 'string') {
      const declared = given[source];
      if (declared.length === 0) throw new BadRequestException(`company_id is required in ${PLACE_NAMES[source]}`);
      const companyId = single(declared, source);
      refuseConflicts(given, source, companyId);
      target = { companyId };
    } else {
      const id = request.params?.[source.param];
      if (typeof id !== 'string' || !isUUID(id)) throw new BadRequestException(`${source.param} must be a UUID`);
      target = { resource: source.resource, id };
    }
    const tenant = await this.access.requireAccess(user, target, roles);
    // A resource's company is known only now: any company_id sent along must be that one.
    if (typeof source !== 'string') refuseConflicts(given, undefined, tenant.companyId);
    request.tenant = tenant;
    return true;
  }
}

/** Every `company_id` the request carries, by place (a repeated query parameter gives several). */
function companyIdsOf(request: TenantRequest): Record<Place, unknown[]> {
  const body = request.body as unknown;
  const fromBody =
    body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'company_id')
      ? [(body as Record<string, unknown>).company_id]
      : [];
  const query = request.query?.company_id;
  return {
    path: request.params?.company_id === undefined ? [] : [request.params.company_id],
    query: query === undefined ? [] : Array.isArray(query) ? query : [query],
    body: fromBody,
  };
}

function single(values: unknown[], place: Place): string {
  const [value] = values;
  if (values.length !== 1 || typeof value !== 'string') throw new BadRequestException(`company_id in ${PLACE_NAMES[place]} must be one UUID`);
  if (!isUUID(value)) throw new BadRequestException('company_id must be a UUID');
  return value.toLowerCase();
}

function refuseConflicts(given: Record<Place, unknown[]>, declared: Place | undefined, companyId: string): void {
  for (const place of PLACES) {
    if (place === declared) continue;
    const conflicting = given[place].some((value) => typeof value !== 'string' || value.toLowerCase() !== companyId);
    if (conflicting) {
      throw new BadRequestException(`company_id in ${PLACE_NAMES[place]} names another company than this request acts on (${companyId}); send one company_id`);
    }
  }
}
