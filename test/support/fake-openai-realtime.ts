import type { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export type RealtimeEvent = { type: string } & Record<string, unknown>;

/**
 * How the fake provider behaves for new connections: `answer` as the real one; `no-upgrade` takes the TCP connection
 * and never answers the WebSocket upgrade; `silent` completes the upgrade and then never sends anything.
 */
export type ProviderBehaviour = 'answer' | 'no-upgrade' | 'silent';

/** One client connection to the fake provider: what it sent, and a way to answer as the model. */
export class FakeRealtimeConnection {
  readonly events: RealtimeEvent[] = [];
  readonly closed: Promise<void>;
  private waiters: { predicate: (e: RealtimeEvent) => boolean; resolve: (e: RealtimeEvent) => void }[] = [];
  /** A stalled provider keeps the socket open and sends nothing more. */
  stalled = false;
  /** Answer each `response.create` with an empty response (`response.created` + `response.done`). */
  autoRespond = true;
  private autoResponses = 0;

  constructor(
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    silent = false,
  ) {
    this.stalled = silent;
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('message', (data: Buffer) => {
      const event = JSON.parse(data.toString('utf8')) as RealtimeEvent;
      this.events.push(event);
      if (event.type === 'session.update') {
        this.emit({ type: 'session.updated', event_id: 'evt_session', session: event.session });
      }
      // A live model answers every response.create; an empty answer unless the test speaks one itself.
      if (event.type === 'response.create' && this.autoRespond) {
        const id = `resp_auto_${++this.autoResponses}`;
        this.emit({ type: 'response.created', event_id: `evt_${id}_c`, response: { id, object: 'realtime.response', status: 'in_progress' } });
        this.done(id, 'completed');
      }
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
    this.emit({ type: 'session.created', event_id: 'evt_created', session: { type: 'realtime', id: 'sess_fake' } });
  }

  /** A server event, in the GA protocol's shape. */
  emit(event: RealtimeEvent): void {
    if (!this.stalled && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(event));
  }

  /** From now on the provider answers nothing (its socket stays open), as a hung model server would. */
  stall(): void {
    this.stalled = true;
  }

  waitFor(predicate: (e: RealtimeEvent) => boolean, timeoutMs = 5_000): Promise<RealtimeEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake realtime: timed out; got ${this.events.map((e) => e.type).join(',')}`)), timeoutMs);
      this.waiters.push({ predicate, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  count(type: string): number {
    return this.events.filter((e) => e.type === type).length;
  }

  /** One model answer: response.created, audio chunks with their transcript, response.done with usage. */
  speak(responseId: string, itemId: string, chunks: string[], transcript: string, usage?: Record<string, unknown>): void {
    this.emit({ type: 'response.created', event_id: `evt_${responseId}_c`, response: { id: responseId, object: 'realtime.response', status: 'in_progress' } });
    chunks.forEach((delta, i) =>
      this.emit({
        type: 'response.output_audio.delta',
        event_id: `evt_${responseId}_${i}`,
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta,
      }),
    );
    this.emit({
      type: 'response.output_audio.done',
      event_id: `evt_${responseId}_ad`,
      response_id: responseId,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
    });
    this.emit({
      type: 'response.output_audio_transcript.done',
      event_id: `evt_${responseId}_td`,
      response_id: responseId,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      transcript,
    });
    this.done(responseId, 'completed', usage);
  }

  done(responseId: string, status: string, usage?: Record<string, unknown>): void {
    this.emit({
      type: 'response.done',
      event_id: `evt_${responseId}_d`,
      response: { id: responseId, object: 'realtime.response', status, output: [], usage: usage ?? null },
    });
  }

  /** Drops the connection abruptly, as a provider outage would. */
  drop(): void {
    this.socket.terminate();
  }
}

/** A local WebSocket server speaking the OpenAI Realtime GA protocol at `/v1/realtime?model=...`. */
export class FakeOpenAiRealtime {
  readonly connections: FakeRealtimeConnection[] = [];
  behaviour: ProviderBehaviour = 'answer';
  /** Upgrades left unanswered (`no-upgrade`), destroyed on close. */
  private readonly hanging = new Set<Duplex>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private waiters: ((c: FakeRealtimeConnection) => void)[] = [];
  port = 0;

  constructor() {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/v1/realtime' || request.headers.authorization !== 'Bearer test' || request.headers['openai-beta']) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      if (this.behaviour === 'no-upgrade') {
        this.hanging.add(socket);
        socket.on('close', () => this.hanging.delete(socket));
        return;
      }
      const silent = this.behaviour === 'silent';
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const connection = new FakeRealtimeConnection(ws, request, silent);
        this.connections.push(connection);
        for (const waiter of this.waiters.splice(0)) waiter(connection);
      });
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The next connection (or the latest one opened since the last call). */
  nextConnection(timeoutMs = 5_000): Promise<FakeRealtimeConnection> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake realtime: no connection')), timeoutMs);
      this.waiters.push((c) => (clearTimeout(timer), resolve(c)));
    });
  }

  openConnections(): number {
    return [...this.wss.clients].filter((c) => c.readyState === WebSocket.OPEN).length;
  }

  /** Upgrade requests that were never answered (`no-upgrade`) and are still open. */
  hangingUpgrades(): number {
    return this.hanging.size;
  }

  async close(): Promise<void> {
    for (const socket of this.hanging) socket.destroy();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
