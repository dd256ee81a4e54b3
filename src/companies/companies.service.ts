import { Injectable } from '@nestjs/common';
import { mayManageOwners } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { CompaniesRepository, CompanyRow, MemberRow } from './companies.repository.js';

@Injectable()
export class CompaniesService {
  constructor(private readonly repository: CompaniesRepository) {}

  create(name: string, ownerId: string): Promise<CompanyRow & { role: 'owner' }> {
    return this.repository.createCompany(name, ownerId);
  }

  get(tenant: Tenant): Promise<CompanyRow & { member_count: number }> {
    return this.repository.getCompany(tenant.companyId);
  }

  listMembers(tenant: Tenant): Promise<MemberRow[]> {
    return this.repository.listMembers(tenant.companyId);
  }

  /** Owners (and platform admins) alone hand out or take away ownership; admins manage everyone else. */
  addMember(tenant: Tenant, userId: string, role: string): Promise<MemberRow> {
    return this.repository.addMember(tenant.companyId, userId, role, mayManageOwners(tenant));
  }

  removeMember(tenant: Tenant, userId: string): Promise<MemberRow & { removed: true }> {
    return this.repository.removeMember(tenant.companyId, userId, mayManageOwners(tenant));
  }
}
