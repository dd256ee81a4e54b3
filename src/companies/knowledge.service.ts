import { BadRequestException, Injectable } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { CompaniesRepository } from './companies.repository.js';
import { KNOWLEDGE_LIMITS, type CreateKnowledgeEntryDto, type ImportKnowledgeDto, type UpdateKnowledgeEntryDto } from './dto/knowledge.dto.js';
import { splitMarkdown, splitPlainText } from './knowledge-import.js';
import { KnowledgeEntry, KnowledgeEntryInput, KnowledgePage, KnowledgeSearch } from './knowledge.types.js';

const DEFAULT_PAGE_SIZE = 20;

@Injectable()
export class KnowledgeService {
  constructor(private readonly repository: CompaniesRepository) {}

  async create(tenant: Tenant, entry: CreateKnowledgeEntryDto): Promise<KnowledgeEntry> {
    const [created] = await this.repository.createKnowledgeEntries(tenant.companyId, [toInput(entry)]);
    return created;
  }

  async list(tenant: Tenant, page = 1, pageSize = DEFAULT_PAGE_SIZE, tag?: string): Promise<KnowledgePage> {
    const result = await this.repository.listKnowledgeEntries(tenant.companyId, pageSize, (page - 1) * pageSize, tag ?? null);
    return { ...result, page, page_size: pageSize };
  }

  get(tenant: Tenant, entryId: string): Promise<KnowledgeEntry> {
    return this.repository.getKnowledgeEntry(tenant.companyId, entryId);
  }

  update(tenant: Tenant, entryId: string, changes: UpdateKnowledgeEntryDto): Promise<KnowledgeEntry> {
    const patch: Partial<KnowledgeEntryInput> = {};
    const title = changes.title ?? changes.question;
    if (title !== undefined) patch.title = title;
    if (changes.content !== undefined) patch.content = changes.content;
    if (changes.tags !== undefined) patch.tags = changes.tags;
    return this.repository.updateKnowledgeEntry(tenant.companyId, entryId, patch);
  }

  async remove(tenant: Tenant, entryId: string): Promise<void> {
    await this.repository.deleteKnowledgeEntry(tenant.companyId, entryId);
  }

  /** All or nothing: one SQL call inserts every passage. */
  async import(tenant: Tenant, body: ImportKnowledgeDto): Promise<{ imported: number; entries: KnowledgeEntry[] }> {
    const extraTags = body.tags ?? [];
    let inputs: KnowledgeEntryInput[];
    if (body.format === 'json') {
      inputs = (body.entries ?? []).map(toInput);
    } else {
      const passages = body.format === 'markdown' ? splitMarkdown(body.text ?? '') : splitPlainText(body.text ?? '');
      inputs = passages.map((p) => ({ title: p.title.slice(0, 500), content: p.content, tags: [] }));
    }
    inputs = inputs.map((input) => ({ ...input, tags: [...new Set([...input.tags, ...extraTags])] }));
    if (inputs.length === 0) throw new BadRequestException('text has no passages to import: it holds only headings or blank lines');
    if (inputs.length > KNOWLEDGE_LIMITS.importEntries) {
      throw new BadRequestException(
        `text splits into ${inputs.length} passages; at most ${KNOWLEDGE_LIMITS.importEntries} are imported at once: import in parts`,
      );
    }
    const entries = await this.repository.createKnowledgeEntries(tenant.companyId, inputs);
    return { imported: entries.length, entries };
  }

  /** Ranked passages for a question, in the text-search configuration of the company's language (also for calls, whose company is the dialed number's). */
  search(companyId: string, query: string, limit = 5): Promise<KnowledgeSearch> {
    return this.repository.searchKnowledge(companyId, query, limit);
  }
}

function toInput(entry: CreateKnowledgeEntryDto): KnowledgeEntryInput {
  return { title: entry.title ?? entry.question ?? '', content: entry.content, tags: entry.tags ?? [] };
}
