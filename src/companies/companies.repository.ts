import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { AgentConfig } from './agent-config.js';
import { KnowledgeEntry, KnowledgeEntryInput, KnowledgePage, KnowledgeSearch } from './knowledge.types.js';

export interface CompanyRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}
export interface MemberRow {
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  created_at: string;
}

/** Every SQL function the companies module uses; private to the module. */
@Injectable()
export class CompaniesRepository {
  constructor(private readonly db: Database) {}

  createCompany(name: string, ownerId: string): Promise<CompanyRow & { role: 'owner' }> {
    return this.db.call('create_company', { p_name: name, p_owner_id: ownerId });
  }

  getCompany(companyId: string): Promise<CompanyRow & { member_count: number }> {
    return this.db.call('get_company', { p_company_id: companyId });
  }

  listMembers(companyId: string): Promise<MemberRow[]> {
    return this.db.call('list_company_members', { p_company_id: companyId });
  }

  addMember(companyId: string, userId: string, role: string, mayManageOwners: boolean): Promise<MemberRow> {
    return this.db.call('add_company_member', { p_company_id: companyId, p_user_id: userId, p_role: role, p_may_manage_owners: mayManageOwners });
  }

  removeMember(companyId: string, userId: string, mayManageOwners: boolean): Promise<MemberRow & { removed: true }> {
    return this.db.call('remove_company_member', { p_company_id: companyId, p_user_id: userId, p_may_manage_owners: mayManageOwners });
  }

  getAgentConfig(companyId: string): Promise<AgentConfig> {
    return this.db.call('get_agent_config', { p_company_id: companyId });
  }

  saveAgentConfig(companyId: string, config: Record<string, unknown>, replace: boolean): Promise<AgentConfig> {
    return this.db.call('save_agent_config', { p_company_id: companyId, p_config: config, p_replace: replace });
  }

  createKnowledgeEntries(companyId: string, entries: KnowledgeEntryInput[]): Promise<KnowledgeEntry[]> {
    return this.db.call('create_knowledge_entries', { p_company_id: companyId, p_entries: entries });
  }

  listKnowledgeEntries(companyId: string, limit: number, offset: number, tag: string | null): Promise<Omit<KnowledgePage, 'page' | 'page_size'>> {
    return this.db.call('list_knowledge_entries', { p_company_id: companyId, p_limit: limit, p_offset: offset, p_tag: tag });
  }

  getKnowledgeEntry(companyId: string, entryId: string): Promise<KnowledgeEntry> {
    return this.db.call('get_knowledge_entry', { p_company_id: companyId, p_entry_id: entryId });
  }

  updateKnowledgeEntry(companyId: string, entryId: string, changes: Partial<KnowledgeEntryInput>): Promise<KnowledgeEntry> {
    return this.db.call('update_knowledge_entry', { p_company_id: companyId, p_entry_id: entryId, p_changes: changes });
  }

  deleteKnowledgeEntry(companyId: string, entryId: string): Promise<{ id: string; deleted: true }> {
    return this.db.call('delete_knowledge_entry', { p_company_id: companyId, p_entry_id: entryId });
  }

  searchKnowledge(companyId: string, query: string, limit: number): Promise<KnowledgeSearch> {
    return this.db.call('search_knowledge', { p_company_id: companyId, p_query: query, p_limit: limit });
  }
}
