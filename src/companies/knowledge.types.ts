export interface KnowledgeEntryInput {
  title: string;
  content: string;
  tags: string[];
}

export interface KnowledgeEntry extends KnowledgeEntryInput {
  id: string;
  company_id: string;
  created_at: string;
  updated_at: string;
}

export interface KnowledgePage {
  items: KnowledgeEntry[];
  total: number;
  page: number;
  page_size: number;
}

/** A ranked passage (sql/0012 knowledge_search_results). */
export interface KnowledgeHit {
  id: string;
  title: string;
  content: string;
  tags: string[];
  score: number;
  matched_terms: number;
  coverage: number;
}

export interface KnowledgeSearch {
  query: string;
  ts_config: string;
  results: KnowledgeHit[];
}
