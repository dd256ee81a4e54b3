import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SequencedEvent } from './company-event.js';
import type { EventStreamService } from './event-stream.service.js';

/** One client's stream: replay after Last-Event-ID, then live events, each once and in order of arrival, and heartbeats. */
export class EventStreamSession {
  private readonly logger = new Logger('EventStream');
  private readonly sent = new Set<number>();
  private highest = 0;
  /** Live events that arrive during the replay wait for it. */
  private buffer: SequencedEvent[] | null = [];
  private response?: Response;

  constructor(
    private readonly streams: EventStreamService,
    private readonly companyId: string,
    private readonly resumeAfter: number | null,
    private readonly heartbeatSeconds: number,
  ) {}

  async run(request: Request, response: Response): Promise<void> {
    this.response = response;
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write('retry: 3000\n: connected\n\n');

    const unsubscribe = await this.streams.subscribe({
      companyId: this.companyId,
      deliver: (event) => (this.buffer ? this.buffer.push(event) : this.write(event)),
      end: () => response.end(),
    });
    const heartbeat = setInterval(() => response.write(': ping\n\n'), this.heartbeatSeconds * 1000);
    heartbeat.unref();
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });

    try {
      if (this.resumeAfter !== null) for (const event of await this.streams.replay(this.companyId, this.resumeAfter)) this.write(event);
    } catch (error) {
      this.logger.warn({ event: 'event_stream_replay_failed', company_id: this.companyId, err: error }, 'Could not replay events after Last-Event-ID');
    }
    const waiting = this.buffer ?? [];
    this.buffer = null;
    for (const event of waiting) this.write(event);
  }

  private write(event: SequencedEvent): void {
    if (this.sent.has(event.seq) || !this.response || this.response.writableEnded) return;
    this.sent.add(event.seq);
    if (event.seq > this.highest) this.highest = event.seq;
    // Only recent seqs can come again (the poller's late-commit window): forget the rest.
    if (this.sent.size > 2000) for (const seq of this.sent) if (seq < this.highest - 1000) this.sent.delete(seq);
    const { seq, ...body } = event;
    this.response.write(`id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(body)}\n\n`);
  }
}
