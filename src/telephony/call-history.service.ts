import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { CallSession } from './call-session.types.js';
import { CallDetailResponseDto, CallListResponseDto, CallSummaryDto, UsageSummaryResponseDto } from './dto/call-response.dto.js';
import { ListCallsQueryDto, UsageQueryDto } from './dto/calls-query.dto.js';
import { LedgerRepository } from './ledger.repository.js';

type CallRow = CallSession & { cost_usd?: number };
type CallDetailRow = CallRow & Pick<CallDetailResponseDto, 'timeline' | 'transcript' | 'usage'>;

const DEFAULT_PAGE = 50;
const DEFAULT_USAGE_DAYS = 30;

function toSummary(row: CallRow, costUsd: number): CallSummaryDto {
  return {
    call_sid: row.call_sid,
    company_id: row.company_id,
    user_id: row.user_id,
    from_number: row.from_number,
    to_number: row.to_number,
    direction: row.direction,
    status: row.status,
    outcome: row.outcome,
    voice_path: row.voice_path,
    company_mismatch: row.company_mismatch,
    started_at: row.started_at,
    answered_at: row.answered_at,
    ended_at: row.ended_at,
    duration_seconds: row.duration_seconds,
    cost_usd: costUsd,
  };
}

/** Opaque keyset cursor: the last row of a page. */
function encodeCursor(row: CallSession): string {
  return Buffer.from(JSON.stringify({ s: row.started_at, i: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: string; id: string } {
  try {
    const { s, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; i?: unknown };
    if (typeof s === 'string' && !Number.isNaN(Date.parse(s)) && typeof i === 'string' && /^[0-9a-f-]{36}$/i.test(i)) return { startedAt: s, id: i };
  } catch {
    /* reported below */
  }
  throw new BadRequestException('cursor is not a next_cursor this API returned; start again without it');
}

/** The call history and cost routes under /api/companies/{company_id}. */
@Injectable()
export class CallHistoryService {
  constructor(private readonly ledger: LedgerRepository) {}

  async listCalls(tenant: Tenant, query: ListCallsQueryDto): Promise<CallListResponseDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const from = query.from ? new Date(query.from) : null;
    const to = query.to ? new Date(query.to) : null;
    if (from && to && from >= to) throw new BadRequestException('from must be before to');
    // One row more than the page tells whether there is a next page.
    const rows = await this.ledger.listCalls<CallRow>(tenant.companyId, {
      from,
      to,
      status: query.status ?? null,
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : null,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => toSummary(row, row.cost_usd ?? 0)),
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  async getCall(tenant: Tenant, callSid: string): Promise<CallDetailResponseDto> {
    const row = await this.ledger.getCall<CallDetailRow>(tenant.companyId, callSid);
    if (!row) throw new NotFoundException(`Company ${tenant.companyId} has no call ${callSid}`);
    const cost = row.usage.reduce((sum, event) => sum + Number(event.cost_usd), 0);
    return { ...toSummary(row, Math.round(cost * 1e6) / 1e6), timeline: row.timeline, transcript: row.transcript, usage: row.usage };
  }

  async usage(tenant: Tenant, query: UsageQueryDto): Promise<UsageSummaryResponseDto> {
    const { companyId } = tenant;
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_USAGE_DAYS * 86_400_000);
    if (from >= to) throw new BadRequestException('from must be before to');
    const groupBy = query.group_by ?? 'kind';
    const summary = await this.ledger.usageSummary<Pick<UsageSummaryResponseDto, 'total_cost_usd' | 'event_count' | 'estimated_event_count' | 'groups'>>(
      companyId,
      from,
      to,
      groupBy,
    );
    return { company_id: companyId, from: from.toISOString(), to: to.toISOString(), group_by: groupBy, currency: 'USD', ...summary };
  }
}
