import { Logger } from '@nestjs/common';
import type { AgentSessionRepository, CallUsage, TranscriptTurn } from './agent-session.repository.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { CallContext } from './call-context.js';

/**
 * Writes one call's transcript turns and usage in order, off the audio path: each write waits for the one before
 * it (turn numbers follow the conversation), and a failed write is logged, never thrown at the call.
 */
export class CallRecorder {
  private readonly logger = new Logger('CallRecorder');
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: AgentSessionRepository,
    private readonly call: Pick<CallContext, 'call_sid' | 'company_id' | 'user_id'>,
    private readonly metrics?: { service: MetricsService; brain: string },
  ) {}

  transcript(turn: TranscriptTurn): void {
    if (!turn.text && turn.role !== 'agent') return;
    if (turn.latency && this.metrics) this.metrics.service.agentTurnLatency(turn.latency.end_of_speech_to_first_output_ms, this.metrics.brain);
    this.enqueue('transcript_write_failed', () => this.repository.appendTranscript(this.call.call_sid, this.call.company_id, turn));
  }

  usage(usage: Omit<CallUsage, 'company_id' | 'user_id' | 'call_sid'>): void {
    this.enqueue('usage_write_failed', () =>
      this.repository.recordUsage({ ...usage, company_id: this.call.company_id, user_id: this.call.user_id, call_sid: this.call.call_sid }),
    );
  }

  /** Resolves when everything queued so far is written (or failed). */
  flushed(): Promise<void> {
    return this.tail;
  }

  private enqueue(event: string, write: () => Promise<unknown>): void {
    this.tail = this.tail.then(write).then(
      () => undefined,
      (error: unknown) => this.logger.error({ event, call_sid: this.call.call_sid, err: error }, 'Could not record a call turn'),
    );
  }
}
