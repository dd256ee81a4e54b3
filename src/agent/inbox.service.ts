import { BadRequestException, Injectable } from '@nestjs/common';
import { AgentRepository } from './agent.repository.js';
import {
  ConversationDto,
  ConversationListResponseDto,
  ListConversationsQueryDto,
  PageQueryDto,
  TakenMessageDto,
  TakenMessageListResponseDto,
} from './dto/inbox.dto.js';

const DEFAULT_PAGE = 50;
const TURNS_PER_CONVERSATION = 50;

/** Opaque keyset cursor: the time and id of the last row of a page. */
function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify({ t: at, i: id })).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const { t, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof t === 'string' && !Number.isNaN(Date.parse(t)) && typeof i === 'string' && /^[0-9a-f-]{36}$/i.test(i)) return { at: t, id: i };
  } catch {
    /* reported below */
  }
  throw new BadRequestException('cursor is not a next_cursor this API returned; start again without it');
}

/** What the agent collected for the company: messages taken, and the SMS/WhatsApp threads. Cursor-paged like calls. */
@Injectable()
export class InboxService {
  constructor(private readonly repository: AgentRepository) {}

  async listMessages(companyId: string, query: PageQueryDto): Promise<TakenMessageListResponseDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const before = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.repository.takenMessages<TakenMessageDto>(companyId, limit + 1, before && { createdAt: before.at, id: before.id });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, next_cursor: rows.length > limit ? encodeCursor(last.created_at, last.id) : null };
  }

  async listConversations(companyId: string, query: ListConversationsQueryDto): Promise<ConversationListResponseDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const before = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.repository.conversations<ConversationDto>(
      companyId,
      query.channel ?? null,
      limit + 1,
      TURNS_PER_CONVERSATION,
      before && { updatedAt: before.at, id: before.id },
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, next_cursor: rows.length > limit ? encodeCursor(last.updated_at, last.id) : null };
  }
}
