import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks Twilio's REST protocol closely enough for the official SDK: form-encoded requests,
 * JSON responses shaped like the resources in `twilio_api_v2010.json`, HTTP basic auth with the account SID and
 * auth token, Twilio's error bodies (`{ code, message, more_info, status }`). It keeps state and records every
 * request so that tests can assert exactly what was sent, to which host.
 *
 * Extensible by a route table: `fake.route('GET', '/v2/RegulatoryCompliance/Bundles/:Sid', handler)`. Routes
 * added later win over earlier ones, so a test can replace a built-in route. `fake.failNext(...)` injects
 * failures. Start one instance per Twilio host (api, numbers, numbers-upload) and point TWILIO_*_BASE_URL at them.
 */

export interface RecordedRequest {
  method: string;
  /** The Host header as received. */
  host: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  /** Form fields (repeated fields become arrays). */
  form: Record<string, string | string[]>;
  rawBody: string;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  /** Decoded basic auth; null when absent or malformed. */
  auth: { username: string; password: string } | null;
  at: Date;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  request: RecordedRequest;
  params: Record<string, string>;
  fake: FakeTwilioRest;
}

export type RouteHandler = (context: RouteContext) => FakeResponse | Promise<FakeResponse>;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  handler: RouteHandler;
}

interface Failure {
  method: string;
  regex: RegExp;
  remaining: number;
  response: FakeResponse;
}

/** `/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json` → a regex with named groups. */
function compilePattern(pattern: string): RegExp {
  const source = pattern
    .split(/(:[A-Za-z][A-Za-z0-9]*)/)
    .map((part) => (part.startsWith(':') ? `(?<${part.slice(1)}>[^/]+?)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Twilio's RFC 2822 dates: `Tue, 31 Aug 2010 20:36:28 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export function twilioSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Twilio's error body. */
export function twilioError(status: number, code: number, message: string): FakeResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** A Call resource as `GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json` returns it. */
export interface CallResource {
  sid: string;
  date_created: string | null;
  date_updated: string | null;
  parent_call_sid: string | null;
  account_sid: string;
  to: string;
  to_formatted: string;
  from: string;
  from_formatted: string;
  phone_number_sid: string | null;
  status: string;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
  price: string | null;
  price_unit: string | null;
  direction: string;
  answered_by: string | null;
  api_version: string;
  forwarded_from: string | null;
  group_sid: string | null;
  caller_name: string | null;
  queue_time: string;
  trunk_sid: string | null;
  uri: string;
  subresource_uris: Record<string, string>;
}

export interface FakeTwilioRestOptions {
  accountSid: string;
  authToken: string;
}

export class FakeTwilioRest {
  readonly requests: RecordedRequest[] = [];
  /** Call resources by SID. */
  readonly calls = new Map<string, CallResource>();
  private readonly stores = new Map<string, Map<string, unknown>>();
  private readonly routes: Route[] = [];
  private readonly failures: Failure[] = [];
  private server?: Server;
  url = '';

  constructor(readonly options: FakeTwilioRestOptions) {
    this.registerCallRoutes();
  }

  static async start(options: FakeTwilioRestOptions): Promise<FakeTwilioRest> {
    const fake = new FakeTwilioRest(options);
    await fake.listen();
    return fake;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Adds a route; it takes precedence over the routes registered before it. */
  route(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.unshift({ method: method.toUpperCase(), pattern, regex: compilePattern(pattern), handler });
    return this;
  }

  /** The next `times` requests matching method and pattern get `response` instead of the route's answer. */
  failNext(method: string, pattern: string, times: number, response: FakeResponse = twilioError(500, 20500, 'Internal Server Error')): this {
    this.failures.push({ method: method.toUpperCase(), regex: compilePattern(pattern), remaining: times, response });
    return this;
  }

  /** A named map for state of routes added by other tests (bundles, phone numbers…). */
  store<T>(name: string): Map<string, T> {
    let store = this.stores.get(name);
    if (!store) {
      store = new Map<string, unknown>();
      this.stores.set(name, store);
    }
    return store as Map<string, T>;
  }

  /** Requests whose method and path match a route pattern. */
  requestsTo(method: string, pattern: string): RecordedRequest[] {
    const regex = compilePattern(pattern);
    return this.requests.filter((r) => r.method === method.toUpperCase() && regex.test(r.path));
  }

  /** Creates (or replaces) a call; unspecified fields look like a finished inbound call not yet priced. */
  putCall(overrides: Partial<CallResource> & { sid?: string } = {}): CallResource {
    const sid = overrides.sid ?? twilioSid('CA');
    const accountSid = overrides.account_sid ?? this.options.accountSid;
    const now = rfc2822(new Date());
    const call: CallResource = {
      sid,
      date_created: now,
      date_updated: now,
      parent_call_sid: null,
      account_sid: accountSid,
      to: '+525512345678',
      to_formatted: '+525512345678',
      from: '+525598765432',
      from_formatted: '+525598765432',
      phone_number_sid: twilioSid('PN'),
      status: 'completed',
      start_time: now,
      end_time: now,
      duration: '0',
      price: null,
      price_unit: 'USD',
      direction: 'inbound',
      answered_by: null,
      api_version: '2010-04-01',
      forwarded_from: null,
      group_sid: null,
      caller_name: null,
      queue_time: '0',
      trunk_sid: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
      subresource_uris: {
        notifications: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Notifications.json`,
        recordings: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Recordings.json`,
        payments: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Payments.json`,
        events: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Events.json`,
        siprec: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Siprec.json`,
        streams: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Streams.json`,
        transcriptions: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/Transcriptions.json`,
        user_defined_message_subscriptions: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/UserDefinedMessageSubscriptions.json`,
        user_defined_messages: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}/UserDefinedMessages.json`,
      },
      ...overrides,
    };
    this.calls.set(sid, call);
    return call;
  }

  private registerCallRoutes(): void {
    const callPath = '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json';
    this.route('GET', callPath, ({ params }) => {
      const call = this.calls.get(params.Sid);
      if (!call || call.account_sid !== params.AccountSid) return notFound(params.Sid, 'Call');
      return { status: 200, body: call };
    });
    // Call update: { Status: 'completed' | 'canceled', Twiml, Url, Method, ... }
    this.route('POST', callPath, ({ params, request }) => {
      const call = this.calls.get(params.Sid);
      if (!call || call.account_sid !== params.AccountSid) return notFound(params.Sid, 'Call');
      const status = request.form.Status;
      if (typeof status === 'string') {
        if (!['completed', 'canceled'].includes(status)) return twilioError(400, 21218, `Invalid Status: ${status}`);
        call.status = status;
      }
      call.date_updated = rfc2822(new Date());
      return { status: 200, body: call };
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const contentType = String(req.headers['content-type'] ?? '');
    const recorded: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      host: String(req.headers.host ?? ''),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form: contentType.includes('application/x-www-form-urlencoded') ? parseForm(rawBody) : {},
      rawBody,
      contentType,
      headers: req.headers,
      auth: parseBasicAuth(req.headers.authorization),
      at: new Date(),
    };
    this.requests.push(recorded);
    const response = await this.respond(recorded);
    const body = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
    res.end(body);
  }

  private async respond(request: RecordedRequest): Promise<FakeResponse> {
    const { auth } = request;
    if (!auth || auth.username !== this.options.accountSid || auth.password !== this.options.authToken) {
      return twilioError(401, 20003, 'Authenticate');
    }
    const failure = this.failures.find((f) => f.remaining > 0 && f.method === request.method && f.regex.test(request.path));
    if (failure) {
      failure.remaining -= 1;
      return failure.response;
    }
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.regex.exec(request.path);
      if (match) {
        try {
          return await route.handler({ request, params: { ...match.groups }, fake: this });
        } catch (error) {
          return twilioError(500, 20500, `Fake route ${route.pattern} failed: ${(error as Error).message}`);
        }
      }
    }
    return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
  }
}

function notFound(sid: string, kind: string): FakeResponse {
  return twilioError(404, 20404, `The requested resource /${kind}s/${sid} was not found`);
}

function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const current = out[key];
    out[key] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
  }
  return out;
}

function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
