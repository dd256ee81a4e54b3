import WebSocket from 'ws';

export type Frame = Record<string, unknown>;

/**
 * A real `ws` client playing Twilio on one of our stream sockets (ConversationRelay or Media Streams): sends the
 * documented JSON frames and collects what the gateway sends back.
 */
export class TwilioWsClient {
  readonly received: Frame[] = [];
  /**
   * As Twilio does with ConversationRelay's debug="tokens-played": report each text token as played once it arrives
   * (turn off to play a Twilio that is still speaking, or that sends no receipts).
   */
  playsTokens = true;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The headers of the upgrade answer (a load balancer in front may say which server took the socket). */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.once('upgrade', (response) => (this.upgradeHeaders = response.headers));
    socket.on('message', (data: Buffer) => {
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString('utf8')) as Frame;
      } catch {
        return;
      }
      this.received.push(frame);
      if (this.playsTokens && frame.type === 'text' && typeof frame.token === 'string' && frame.token !== '') {
        const value = frame.token;
        setImmediate(() => this.send({ type: 'info', name: 'tokensPlayed', value }));
      }
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(frame)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<TwilioWsClient> {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const client = new TwilioWsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(frame: Frame): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** The first frame (already received or coming) that matches. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return this.next(predicate, timeoutMs);
  }

  /** The next frame from now on that matches. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a frame; received: ${JSON.stringify(this.received.slice(-5))}`)), timeoutMs);
      this.waiters.push({ predicate, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
    });
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
  }

  // ConversationRelay
  setup(callSid: string, token: string | undefined, from = '+525500000001'): void {
    this.send({
      type: 'setup',
      sessionId: 'VX00000000000000000000000000000000',
      accountSid: 'AC11111111111111111111111111111111',
      parentCallSid: '',
      callSid,
      from,
      to: '+525512345678',
      forwardedFrom: '',
      callType: 'PSTN',
      callerName: '',
      direction: 'inbound',
      callStatus: 'RINGING',
      customParameters: token === undefined ? {} : { token },
    });
  }

  prompt(text: string): void {
    this.send({ type: 'prompt', voicePrompt: text, lang: 'es-MX', last: true });
  }

  /** Collects the `text` tokens of one answer, up to `last: true`. */
  async answer(timeoutMs = 5_000): Promise<string> {
    const start = this.received.length;
    await this.next((f) => f.type === 'text' && f.last === true, timeoutMs);
    return this.received
      .slice(start)
      .filter((f) => f.type === 'text')
      .map((f) => String(f.token))
      .join('');
  }

  // Media Streams
  private sequence = 0;
  private chunk = 0;

  start(callSid: string, streamSid: string, token: string | undefined): void {
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: String(++this.sequence),
      streamSid,
      start: {
        accountSid: 'AC11111111111111111111111111111111',
        streamSid,
        callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: token === undefined ? {} : { token },
      },
    });
  }

  media(streamSid: string, payload: string): void {
    this.chunk++;
    this.send({
      event: 'media',
      sequenceNumber: String(++this.sequence),
      streamSid,
      media: { track: 'inbound', chunk: String(this.chunk), timestamp: String(this.chunk * 20), payload },
    });
  }

  echoMark(streamSid: string, name: string): void {
    this.send({ event: 'mark', sequenceNumber: String(++this.sequence), streamSid, mark: { name } });
  }

  stop(callSid: string, streamSid: string): void {
    this.send({ event: 'stop', sequenceNumber: String(++this.sequence), streamSid, stop: { accountSid: 'AC11111111111111111111111111111111', callSid } });
  }
}

/** 20 ms of μ-law silence (0xFF), base64. */
export const SILENCE_FRAME = Buffer.alloc(160, 0xff).toString('base64');
