import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  json: { id: string; type: string; created_at: string; company_id: string; data: Record<string, unknown> };
  at: number;
}

/**
 * A company's webhook receiver on loopback: records every POST and answers what `respond` says (200 by
 * default; a number is a status; 'hang' never answers).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: (hit: ReceivedWebhook, index: number) => number | 'hang' = () => 200;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(path = '/hooks'): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const hit: ReceivedWebhook = {
          headers: req.headers as Record<string, string>,
          body,
          json: JSON.parse(body) as ReceivedWebhook['json'],
          at: Date.now(),
        };
        const receiver = holder.receiver!;
        const index = receiver.received.push(hit) - 1;
        const answer = req.url === path ? receiver.respond(hit, index) : 404;
        if (answer === 'hang') {
          receiver.hanging.add(res);
          return;
        }
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(String(answer));
      });
    });
    const receiver = new WebhookReceiver(server);
    holder.receiver = receiver;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Verified with the reference implementation; throws when the signature or timestamp is wrong. */
  static verify(hit: ReceivedWebhook, secret: string): unknown {
    return new Webhook(secret).verify(hit.body, {
      'webhook-id': hit.headers['webhook-id'],
      'webhook-timestamp': hit.headers['webhook-timestamp'],
      'webhook-signature': hit.headers['webhook-signature'],
    });
  }

  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((hit) => hit.json.type === type);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
