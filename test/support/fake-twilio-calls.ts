import type { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';

export interface CallUpdate {
  accountSid: string;
  callSid: string;
  params: Record<string, string>;
  authorization: string | undefined;
  /** Date.now() when it arrived. */
  receivedAt: number;
}

/**
 * A local server speaking Twilio's REST call update (`POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`,
 * form-encoded, Basic auth) for the agent-session tests; answers with a call resource like Twilio's.
 */
export class FakeTwilioCalls {
  readonly updates: CallUpdate[] = [];
  /** Set to make the next updates fail with this HTTP status. */
  failWith: number | null = null;
  /** Updates still to refuse with 500 before answering normally again (a Twilio that recovers). */
  failuresLeft = 0;
  /** Every update request, refused or not. */
  attempts = 0;
  private readonly server: Server;
  private waiters: ((u: CallUpdate) => void)[] = [];
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const match = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\/(\w+)\.json$/.exec(req.url ?? '');
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (req.method !== 'POST' || !match) {
          res
            .writeHead(404, { 'content-type': 'application/json' })
            .end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
          return;
        }
        this.attempts += 1;
        const refuse = this.failWith ?? (this.failuresLeft > 0 ? 500 : null);
        if (refuse) {
          if (this.failuresLeft > 0) this.failuresLeft -= 1;
          res.writeHead(refuse, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20500, message: 'Internal error', status: refuse }));
          return;
        }
        const update: CallUpdate = {
          accountSid: match[1],
          callSid: match[2],
          params: Object.fromEntries(new URLSearchParams(body)),
          authorization: req.headers.authorization,
          receivedAt: Date.now(),
        };
        this.updates.push(update);
        for (const waiter of this.waiters.splice(0)) waiter(update);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ sid: update.callSid, account_sid: update.accountSid, status: update.params.Status ?? 'in-progress', api_version: '2010-04-01' }),
          );
      });
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  nextUpdate(timeoutMs = 8_000): Promise<CallUpdate> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake twilio: no call update')), timeoutMs);
      this.waiters.push((u) => (clearTimeout(timer), resolve(u)));
    });
  }

  /** The first update of one call (already received, or the next one for it). */
  async updateFor(callSid: string, timeoutMs = 15_000): Promise<CallUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.updates.find((u) => u.callSid === callSid);
      if (seen) return seen;
      await this.nextUpdate(Math.max(deadline - Date.now(), 1));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
