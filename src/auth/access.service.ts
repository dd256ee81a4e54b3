import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { MembershipService } from './membership.service.js';
import type { CompanyRole, ResourceKind, Tenant } from './tenant.js';

/** What a request asks to act on: a company by its id, or a resource by its own id. */
export type AccessTarget = { companyId: string } | { resource: ResourceKind; id: string };

const RESOURCE_NAMES: Record<ResourceKind, string> = { bundle: 'Bundle' };

/** The SQL function that names the company owning each kind of resource (null when there is no such resource). */
const OWNER_FUNCTIONS = {
  bundle: { fn: 'get_regulatory_bundle_company', arg: 'p_bundle_id' },
} as const satisfies Record<ResourceKind, { fn: string; arg: string }>;

/**
 * The one place that decides whether a user may act on a company or on a resource of one: the owning company is
 * looked up first, then the user's role in it. Non-members get the same 403 whether or not the company or the
 * resource exists, so ids cannot be probed; platform admins act on any company and get 404 for what is missing.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly db: Database,
    private readonly memberships: MembershipService,
  ) {}

  async requireAccess(user: AuthenticatedUser, target: AccessTarget, roles: readonly CompanyRole[]): Promise<Tenant> {
    if ('companyId' in target) return this.requireCompany(user, target.companyId, roles);
    const name = RESOURCE_NAMES[target.resource];
    const companyId = await this.ownerOf(target.resource, target.id);
    if (companyId === null) {
      if (user.isAdmin) throw new NotFoundException(`${name} ${target.id} does not exist`);
      throw new ForbiddenException(`${name} ${target.id} does not exist or is not one of your companies'`);
    }
    if (user.isAdmin) return { companyId, role: 'platform_admin', user };
    const { role } = await this.memberships.membership(companyId, user.id);
    if (!role) throw new ForbiddenException(`${name} ${target.id} does not exist or is not one of your companies'`);
    return this.withRole(user, companyId, role, roles);
  }

  private async requireCompany(user: AuthenticatedUser, companyId: string, roles: readonly CompanyRole[]): Promise<Tenant> {
    const membership = await this.memberships.membership(companyId, user.id);
    if (user.isAdmin) {
      if (!membership.company_exists) throw new NotFoundException(`Company ${companyId} does not exist`);
      return { companyId, role: 'platform_admin', user };
    }
    if (!membership.role) throw new ForbiddenException('You are not a member of this company');
    return this.withRole(user, companyId, membership.role, roles);
  }

  private withRole(user: AuthenticatedUser, companyId: string, role: CompanyRole, roles: readonly CompanyRole[]): Tenant {
    if (!roles.includes(role)) throw new ForbiddenException(`This needs the company role ${roles.join(' or ')}; you are ${role}`);
    return { companyId, role, user };
  }

  private async ownerOf(kind: ResourceKind, id: string): Promise<string | null> {
    const { fn, arg } = OWNER_FUNCTIONS[kind];
    return (await this.db.call<typeof fn, string | null>(fn, { [arg]: id })) ?? null;
  }
}
