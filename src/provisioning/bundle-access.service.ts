import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { MembershipService } from '../auth/membership.service.js';
import { ProvisioningRepository } from './provisioning.repository.js';

/** Bundle routes by id: the company's owners and admins, or platform admins (the route has no company_id to guard on). */
@Injectable()
export class BundleAccessService {
  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly memberships: MembershipService,
  ) {}

  async assert(bundleId: string, user: AuthenticatedUser): Promise<void> {
    const companyId = await this.repository.bundleCompany(bundleId);
    if (!companyId) throw new NotFoundException(`Bundle ${bundleId} does not exist`);
    if (user.isAdmin) return;
    const { role } = await this.memberships.membership(companyId, user.id);
    if (role !== 'owner' && role !== 'admin') throw new ForbiddenException("Bundles are for the company's owners and admins");
  }
}
