import { Injectable } from '@nestjs/common';
import { CompaniesRepository, CompanyRow, MemberRow } from './companies.repository.js';
import type { ActingRole } from './company-role.decorator.js';

@Injectable()
export class CompaniesService {
  constructor(private readonly repository: CompaniesRepository) {}

  create(name: string, ownerId: string): Promise<CompanyRow & { role: 'owner' }> {
    return this.repository.createCompany(name, ownerId);
  }

  get(companyId: string): Promise<CompanyRow & { member_count: number }> {
    return this.repository.getCompany(companyId);
  }

  listMembers(companyId: string): Promise<MemberRow[]> {
    return this.repository.listMembers(companyId);
  }

  /** Owners (and platform admins) alone hand out or take away ownership; admins manage everyone else. */
  addMember(companyId: string, userId: string, role: string, actor: ActingRole): Promise<MemberRow> {
    return this.repository.addMember(companyId, userId, role, mayManageOwners(actor));
  }

  removeMember(companyId: string, userId: string, actor: ActingRole): Promise<MemberRow & { removed: true }> {
    return this.repository.removeMember(companyId, userId, mayManageOwners(actor));
  }
}

function mayManageOwners(actor: ActingRole): boolean {
  return actor === 'owner' || actor === 'platform_admin';
}
