import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers the next request. */
export type ChatScript =
  | { kind: 'text'; chunks: string[]; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: 'tool'; name: string; args: Record<string, unknown>; text?: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: 'status'; status: number; body?: string }
  /** Sends the headers and then nothing, until the client gives up. */
  | { kind: 'stall'; afterChunks?: string[] }
  /** Sends a content chunk every `everyMs` and never finishes, until the client gives up. */
  | { kind: 'drip'; chunk: string; everyMs: number };

export interface RecordedChatRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    stream: boolean;
    stream_options?: { include_usage?: boolean };
    messages: { role: string; content: string }[];
    tools?: { type: string; function: { name: string } }[];
  };
}

/**
 * A local OpenAI-compatible chat-completions server speaking the streaming wire protocol: `text/event-stream`,
 * `data: {chat.completion.chunk}` events (content deltas, tool-call deltas split across chunks, a finish_reason),
 * a final usage chunk with empty choices when `stream_options.include_usage` is set, then `data: [DONE]`.
 */
export class FakeOpenAiChatServer {
  readonly requests: RecordedChatRequest[] = [];
  private readonly scripts: ChatScript[] = [];
  private server?: Server;
  private readonly open = new Set<ServerResponse>();

  /** Queue answers, one per request; with none queued, a default text answer is given. */
  enqueue(...scripts: ChatScript[]): void {
    this.scripts.push(...scripts);
  }

  /** The OPENAI_BASE_URL to configure, once started. */
  baseUrl = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const body = JSON.parse(raw) as RecordedChatRequest['body'];
    this.requests.push({ path: req.url ?? '', headers: req.headers, body });
    const script = this.scripts.shift() ?? { kind: 'text', chunks: ['Default answer.'] };
    if (script.kind === 'status') {
      res.writeHead(script.status, { 'content-type': 'application/json' });
      res.end(script.body ?? JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
    const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, system_fingerprint: 'fp_test', choices, ...extra })}\n\n`,
      );
    };
    const delta = (d: Record<string, unknown>, finish: string | null = null): void => send([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
    const finish = (reason: string, usage?: { prompt_tokens: number; completion_tokens: number }): void => {
      delta({}, reason);
      if (body.stream_options?.include_usage) {
        const u = usage ?? { prompt_tokens: 100, completion_tokens: 10 };
        send([], { usage: { ...u, total_tokens: u.prompt_tokens + u.completion_tokens } });
      }
      res.write('data: [DONE]\n\n');
      res.end();
    };

    if (script.kind === 'stall') {
      delta({ role: 'assistant', content: '' });
      for (const c of script.afterChunks ?? []) delta({ content: c });
      return; // never finishes
    }
    if (script.kind === 'drip') {
      delta({ role: 'assistant', content: '' });
      const timer = setInterval(() => delta({ content: script.chunk }), script.everyMs);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (script.kind === 'text') {
      delta({ role: 'assistant', content: '' });
      for (const c of script.chunks) {
        res.write(': keep-alive\n\n');
        delta({ content: c });
      }
      finish('stop', script.usage);
      return;
    }
    delta({ role: 'assistant', content: script.text ?? null });
    const args = JSON.stringify(script.args);
    delta({ tool_calls: [{ index: 0, id: 'call_test1', type: 'function', function: { name: script.name, arguments: '' } }] });
    // Arguments arrive in pieces, as real servers send them.
    for (let i = 0; i < args.length; i += 7) delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 7) } }] });
    finish('tool_calls', script.usage);
  }
}
