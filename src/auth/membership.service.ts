import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { CompanyRole } from './tenant.js';

export interface CompanyMembership {
  company_exists: boolean;
  role: CompanyRole | null;
}

export interface UserCompany {
  company_id: string;
  name: string;
  role: CompanyRole;
}

@Injectable()
export class MembershipService {
  constructor(private readonly db: Database) {}

  membership(companyId: string, userId: string): Promise<CompanyMembership> {
    return this.db.call<'get_company_membership', CompanyMembership>('get_company_membership', { p_company_id: companyId, p_user_id: userId });
  }

  async companiesOf(userId: string): Promise<UserCompany[]> {
    return (await this.db.call<'list_user_companies', UserCompany[]>('list_user_companies', { p_user_id: userId })) ?? [];
  }
}
