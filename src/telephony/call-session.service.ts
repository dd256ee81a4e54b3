import { Injectable } from '@nestjs/common';
import { DatabaseError } from '../database/database-error.js';
import { CallSessionRepository } from './call-session.repository.js';
import { CallSession, TranscriptTurn, UsageEventInput } from './call-session.types.js';
import { isValidCallSid } from './twilio-form.js';

const ROLES = ['caller', 'agent', 'system'];

/**
 * What other modules (the voice gateways) may do with call sessions: read one, add transcript turns, and
 * record usage (tokens, audio seconds) in the cost ledger. Input is checked here, before SQL, so that a caller's
 * mistake is a clear DatabaseError ('invalid' → 400, 'not_found' → 404 through the global filter).
 */
@Injectable()
export class CallSessionService {
  constructor(private readonly sessions: CallSessionRepository) {}

  /** The session of a CallSid, or null when there is none. */
  async get(callSid: string): Promise<CallSession | null> {
    if (!isValidCallSid(callSid)) return null;
    return this.sessions.get(callSid);
  }

  /** Appends a turn; turns are numbered 1, 2, … in arrival order, whoever writes them. */
  async appendTranscript(callSid: string, turn: TranscriptTurn): Promise<{ id: string; seq: number }> {
    if (!ROLES.includes(turn.role)) throw new DatabaseError('invalid', `A transcript turn's role must be one of ${ROLES.join(', ')}`);
    if (typeof turn.text !== 'string') throw new DatabaseError('invalid', "A transcript turn's text must be a string");
    const written = isValidCallSid(callSid) ? await this.sessions.appendTranscript(callSid, turn) : null;
    if (!written) throw new DatabaseError('not_found', `No call session ${callSid}: it is opened by the incoming-call webhook`);
    return { id: written.id, seq: written.seq };
  }

  /** Writes a usage event once per idempotency key; `created` is false when it was already recorded. */
  async recordUsage(event: UsageEventInput): Promise<{ id: string; created: boolean }> {
    if (!event.idempotencyKey?.trim()) throw new DatabaseError('invalid', 'A usage event needs an idempotency key, for example tokens:<call_sid>:<response_id>');
    if (!event.kind?.trim() || !event.unit?.trim()) throw new DatabaseError('invalid', 'A usage event needs a kind and a unit');
    if (!(event.quantity >= 0) || !(event.costUsd >= 0)) throw new DatabaseError('invalid', 'Usage quantity and cost must be non-negative numbers');
    if (event.callSid !== undefined && !isValidCallSid(event.callSid)) throw new DatabaseError('invalid', `${event.callSid} is not a call SID`);
    const recorded = await this.sessions.recordUsage(event);
    if (!recorded) throw new DatabaseError('not_found', `No company for this usage event: no call session ${event.callSid ?? '(none)'} and no companyId`);
    return recorded;
  }
}
