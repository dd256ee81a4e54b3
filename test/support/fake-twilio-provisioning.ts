import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking Twilio's REST protocol for provisioning: the 2010 API (Addresses, AvailablePhoneNumbers,
 * IncomingPhoneNumbers), Regulatory Compliance v2 (Regulations, EndUsers, SupportingDocuments, Bundles,
 * ItemAssignments, Evaluations) and the upload host (multipart SupportingDocuments). Form-encoded requests in,
 * JSON shaped like Twilio's OpenAPI specs out, state kept across calls, every request recorded, faults on demand.
 * One port; the three hosts are path prefixes (`/api`, `/numbers`, `/upload`) of their base URLs.
 */

export type FakeHost = 'api' | 'numbers' | 'numbersUpload';

export interface RecordedRequest {
  host: FakeHost;
  method: string;
  /** The path on the Twilio host, e.g. `/v2/RegulatoryCompliance/Bundles`. */
  path: string;
  query: Record<string, string>;
  /** Form fields (or multipart text parts) as sent. */
  params: Record<string, string>;
  /** Multipart file parts. */
  files: Record<string, { name: string; type: string; size: number }>;
  contentType: string;
  authorized: boolean;
}

/**
 * What goes wrong with a matching request. `afterCommit`: the change is made, then the answer fails. `lateMs`: no
 * answer ever comes (the connection is dropped), and the change is made `lateMs` later, as when Twilio completes a
 * purchase after the client gave up.
 */
export type Fault = { status: number; afterCommit?: boolean } | { hangMs: number; afterCommit?: boolean } | { lateMs: number };

/** The order of available numbers in search results: as stocked, or different on every search (as Twilio's are). */
export type SearchOrder = 'stocked' | 'shuffled' | 'rotating';

export interface FaultRule {
  host?: FakeHost;
  method?: string;
  path: RegExp;
  fault: Fault;
  /** How many requests it applies to (default 1). */
  times?: number;
}

interface Regulation {
  sid: string;
  friendly_name: string;
  iso_country: string;
  number_type: string;
  end_user_type: string;
  requirements: Record<string, unknown>;
}

type Json = Record<string, unknown>;

export interface FakeBundle extends Json {
  sid: string;
  status: string;
  regulation_sid: string | null;
  friendly_name: string;
  status_callback: string | null;
  items: string[];
}

export interface FakeIncomingNumber extends Json {
  sid: string;
  phone_number: string;
  friendly_name: string;
  bundle_sid: string | null;
  address_sid: string | null;
  voice_url: string | null;
  voice_method: string;
  sms_url: string | null;
  sms_method: string;
  status_callback: string | null;
  status_callback_method: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const sid = (prefix: string): string => prefix + randomBytes(16).toString('hex');
const ALLOWED_UPLOAD_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/png']);

/** The Mexican local regulation, shaped like the FetchRegulation example of the numbers spec. */
export function mexicanRegulation(endUserType: 'business' | 'individual'): Regulation {
  const business = endUserType === 'business';
  return {
    sid: sid('RN'),
    friendly_name: `Mexico: Local - ${business ? 'Business' : 'Individual'}`,
    iso_country: 'MX',
    number_type: 'local',
    end_user_type: endUserType,
    requirements: {
      end_user: [
        {
          name: business ? 'Business' : 'Individual',
          type: endUserType,
          requirement_name: business ? 'business_info' : 'individual_info',
          url: 'https://numbers.twilio.com/v2/RegulatoryCompliance/EndUserTypes/' + endUserType,
          fields: business ? ['business_name', 'business_registration_number'] : ['first_name', 'last_name'],
          detailed_fields: [],
        },
      ],
      supporting_document: [
        [
          {
            name: 'Proof of Identity',
            type: 'document',
            requirement_name: 'proof_of_identity',
            description: 'Business registration or government-issued ID',
            accepted_documents: [
              {
                name: business ? 'Business Registration' : 'Government-issued ID',
                type: business ? 'business_registration' : 'government_issued_document',
                url: 'https://numbers.twilio.com/v2/RegulatoryCompliance/DocumentTypes/x',
                fields: business ? ['business_name', 'registration_number'] : ['first_name', 'last_name'],
                detailed_fields: [],
              },
            ],
          },
        ],
        [
          {
            name: 'Address',
            type: 'document',
            requirement_name: 'proof_of_address',
            description: 'Must be within locality or region covered by the phone numbers prefix',
            accepted_documents: [
              {
                name: 'Address Validation',
                type: 'business_address',
                url: 'https://numbers.twilio.com/v2/RegulatoryCompliance/DocumentTypes/address',
                fields: ['address_sids'],
                detailed_fields: [],
              },
            ],
          },
        ],
      ],
    },
  };
}

export class FakeTwilioProvisioning {
  readonly requests: RecordedRequest[] = [];
  readonly regulations: Regulation[] = [mexicanRegulation('business'), mexicanRegulation('individual')];
  readonly addresses = new Map<string, Json>();
  readonly endUsers = new Map<string, Json>();
  readonly documents = new Map<string, Json & { file?: { name: string; type: string; size: number } }>();
  readonly bundles = new Map<string, FakeBundle>();
  readonly incoming = new Map<string, FakeIncomingNumber>();
  /** Numbers for sale, by country and type. */
  readonly available = new Map<string, string[]>();
  /** Called for every request: return a fault to inject one (randomised fault tests). */
  faultInjector?: (req: RecordedRequest) => Fault | undefined;
  searchOrder: SearchOrder = 'stocked';
  /** Changes of `lateMs` faults not made yet. */
  private readonly late = new Set<Promise<void>>();
  private searches = 0;
  private readonly rules: FaultRule[] = [];
  private server?: Server;
  private base = '';

  constructor(
    readonly accountSid: string,
    private readonly authToken: string,
  ) {
    this.stock('MX', 'local', 30);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** For `testConfig({ twilio: fake.baseUrls() })`. */
  baseUrls(): { apiBaseUrl: string; numbersBaseUrl: string; numbersUploadBaseUrl: string } {
    return { apiBaseUrl: `${this.base}/api`, numbersBaseUrl: `${this.base}/numbers`, numbersUploadBaseUrl: `${this.base}/upload` };
  }

  /** Puts `count` fresh numbers on sale (Mexican local numbers start +5255). */
  stock(country: string, type: string, count: number): string[] {
    const list = this.available.get(`${country}:${type}`) ?? [];
    const fresh = Array.from({ length: count }, () => `+5255${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);
    list.push(...fresh);
    this.available.set(`${country}:${type}`, list);
    return fresh;
  }

  /** A number already in the account (bought elsewhere), for the configure route. */
  addIncomingNumber(phoneNumber: string, fields: Partial<FakeIncomingNumber> = {}): FakeIncomingNumber {
    const number = this.incomingNumber({ PhoneNumber: phoneNumber, FriendlyName: phoneNumber, ...fields } as Record<string, string>);
    Object.assign(number, fields);
    return number;
  }

  /** A bundle (with its address) as if created through the API, for tests that start later in the flow. */
  seedBundle(status: string): { bundleSid: string; addressSid: string; regulationSid: string } {
    const regulation = this.regulations[0];
    const address = this.createAddress({ CustomerName: 'Seed', Street: 'Calle 1', City: 'CDMX', Region: 'CDMX', PostalCode: '03100', IsoCountry: 'MX' });
    const bundle = this.createBundle({ FriendlyName: 'seed', Email: 'seed@example.com', RegulationSid: regulation.sid });
    this.setBundleStatus(bundle.sid as string, status);
    return { bundleSid: bundle.sid as string, addressSid: address.sid as string, regulationSid: regulation.sid };
  }

  /** Twilio's review decides. */
  setBundleStatus(bundleSid: string, status: string): void {
    const bundle = this.bundles.get(bundleSid);
    if (!bundle) throw new Error(`no bundle ${bundleSid}`);
    bundle.status = status;
    bundle.date_updated = new Date().toISOString();
  }

  failNext(rule: FaultRule): void {
    this.rules.push({ times: 1, ...rule });
  }

  clearFaults(): void {
    this.rules.length = 0;
    this.faultInjector = undefined;
  }

  /** Requests to one host and path pattern, optionally one method. */
  sent(host: FakeHost, path: RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.host === host && path.test(r.path) && (!method || r.method === method));
  }

  numbersForBundle(bundleSid: string): FakeIncomingNumber[] {
    return [...this.incoming.values()].filter((n) => n.bundle_sid === bundleSid);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const [, prefix, ...rest] = url.pathname.split('/');
    const host: FakeHost | undefined = prefix === 'api' ? 'api' : prefix === 'numbers' ? 'numbers' : prefix === 'upload' ? 'numbersUpload' : undefined;
    const path = '/' + rest.join('/');
    const body = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const recorded: RecordedRequest = {
      host: host ?? 'api',
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      params: {},
      files: {},
      contentType,
      authorized: this.isAuthorized(req.headers.authorization),
    };
    try {
      if (contentType.startsWith('application/x-www-form-urlencoded')) {
        recorded.params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      } else if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
        for (const [key, value] of form.entries()) {
          if (typeof value === 'string') recorded.params[key] = value;
          else recorded.files[key] = { name: value.name, type: value.type, size: value.size };
        }
      }
    } catch {
      // recorded as sent; the route answers 400 below
    }
    this.requests.push(recorded);

    const fault = this.faultFor(recorded);
    if (fault && 'lateMs' in fault) return this.completeLate(recorded, res, fault.lateMs);
    if (fault && !fault.afterCommit) return this.injure(res, fault);
    let status = 200;
    let answer: unknown;
    try {
      if (!host) throw new HttpError(404, 20404, `Unknown host prefix /${prefix}`);
      if (!recorded.authorized) throw new HttpError(401, 20003, 'Authenticate');
      [status, answer] = this.route(recorded);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      answer = { code: error.code, message: error.message, more_info: `https://www.twilio.com/docs/errors/${error.code}`, status: error.status };
    }
    if (fault) return this.injure(res, fault);
    if (status === 204) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  private faultFor(req: RecordedRequest): Fault | undefined {
    const index = this.rules.findIndex((r) => (!r.host || r.host === req.host) && (!r.method || r.method === req.method) && r.path.test(req.path));
    if (index >= 0) {
      const rule = this.rules[index];
      rule.times = (rule.times ?? 1) - 1;
      if (rule.times <= 0) this.rules.splice(index, 1);
      return rule.fault;
    }
    return this.faultInjector?.(req);
  }

  /** Resolves when every late change has been made. */
  async settled(): Promise<void> {
    while (this.late.size > 0) await Promise.all([...this.late]);
  }

  private completeLate(recorded: RecordedRequest, res: ServerResponse, lateMs: number): void {
    const done = new Promise<void>((resolve) => {
      setTimeout(() => {
        try {
          if (recorded.authorized) this.route(recorded);
        } catch {
          // refused late (the number was sold meanwhile): nothing changes
        }
        res.destroy();
        resolve();
      }, lateMs);
    });
    this.late.add(done);
    void done.then(() => this.late.delete(done));
  }

  private injure(res: ServerResponse, fault: Exclude<Fault, { lateMs: number }>): void {
    if ('status' in fault) {
      res
        .writeHead(fault.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: fault.status }));
      return;
    }
    setTimeout(() => {
      if (!res.destroyed) res.writeHead(504).end();
    }, fault.hangMs).unref();
  }

  private isAuthorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    return Buffer.from(header.slice(6), 'base64').toString('utf8') === `${this.accountSid}:${this.authToken}`;
  }

  private route(r: RecordedRequest): [number, unknown] {
    const acct = `/2010-04-01/Accounts/${this.accountSid}`;
    const p = r.params;
    const m = (pattern: RegExp): RegExpExecArray | null => pattern.exec(r.path);
    let g: RegExpExecArray | null;
    if (r.host === 'numbersUpload') {
      if (r.method === 'POST' && r.path === '/v2/RegulatoryCompliance/SupportingDocuments') return [201, this.uploadDocument(r)];
      throw new HttpError(404, 20404, 'Not found');
    }
    if (r.host === 'api') {
      if (!r.path.startsWith(acct)) throw new HttpError(404, 20404, `Account ${r.path.split('/')[3]} not found`);
      const sub = r.path.slice(acct.length);
      if (r.method === 'POST' && sub === '/Addresses.json') return [201, this.createAddress(p)];
      if (r.method === 'GET' && (g = /^\/AvailablePhoneNumbers\/([A-Z]{2})\/(Local|Mobile|National|TollFree)\.json$/.exec(sub))) {
        return [200, this.searchAvailable(g[1], g[2], r)];
      }
      if (r.method === 'GET' && sub === '/IncomingPhoneNumbers.json') return [200, this.listIncoming(r)];
      if (r.method === 'POST' && sub === '/IncomingPhoneNumbers.json') return [201, this.buy(p)];
      if ((g = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(sub))) {
        const number = [...this.incoming.values()].find((n) => n.sid === g![1]);
        if (!number) throw new HttpError(404, 20404, `The requested resource ${r.path} was not found`);
        if (r.method === 'GET') return [200, number];
        if (r.method === 'POST') return [200, this.updateIncoming(number, p)];
      }
      throw new HttpError(404, 20404, `The requested resource ${r.path} was not found`);
    }
    const rc = '/v2/RegulatoryCompliance';
    if (r.method === 'GET' && r.path === `${rc}/Regulations`) {
      const found = this.regulations.filter(
        (x) =>
          (!r.query.IsoCountry || x.iso_country === r.query.IsoCountry) &&
          (!r.query.NumberType || x.number_type === r.query.NumberType) &&
          (!r.query.EndUserType || x.end_user_type === r.query.EndUserType),
      );
      return [
        200,
        this.v2Page(
          'results',
          found.map((x) => ({ ...x, url: `https://numbers.twilio.com${rc}/Regulations/${x.sid}` })),
          r,
        ),
      ];
    }
    if (r.method === 'POST' && r.path === `${rc}/EndUsers`) {
      if (!p.FriendlyName || !['individual', 'business'].includes(p.Type)) throw new HttpError(400, 20001, 'FriendlyName and Type are required');
      const endUser = {
        sid: sid('IT'),
        account_sid: this.accountSid,
        friendly_name: p.FriendlyName,
        type: p.Type,
        attributes: parseJson(p.Attributes),
        date_created: iso(),
        date_updated: iso(),
        url: '',
      };
      this.endUsers.set(endUser.sid, endUser);
      return [201, endUser];
    }
    if (r.method === 'POST' && r.path === `${rc}/SupportingDocuments`) {
      if (!p.FriendlyName || !p.Type) throw new HttpError(400, 20001, 'FriendlyName and Type are required');
      return [201, this.storeDocument(p)];
    }
    if (r.method === 'POST' && r.path === `${rc}/Bundles`) return [201, this.createBundle(p)];
    if ((g = m(/^\/v2\/RegulatoryCompliance\/Bundles\/(BU[0-9a-f]{32})(\/ItemAssignments|\/Evaluations)?$/))) {
      const bundle = this.bundles.get(g[1]);
      if (!bundle) throw new HttpError(404, 20404, `Bundle ${g[1]} was not found`);
      if (!g[2] && r.method === 'GET') return [200, this.bundleJson(bundle)];
      if (!g[2] && r.method === 'POST') return [200, this.updateBundle(bundle, p)];
      if (g[2] === '/ItemAssignments' && r.method === 'POST') return [201, this.assign(bundle, p.ObjectSid)];
      if (g[2] === '/Evaluations' && r.method === 'POST') return [201, this.evaluate(bundle)];
      if (g[2] === '/Evaluations' && r.method === 'GET') return [200, this.v2Page('results', (bundle.evaluations as Json[]) ?? [], r)];
    }
    throw new HttpError(404, 20404, `The requested resource ${r.path} was not found`);
  }

  private createAddress(p: Record<string, string>): Json {
    for (const f of ['CustomerName', 'Street', 'City', 'Region', 'PostalCode', 'IsoCountry']) {
      if (!p[f]) throw new HttpError(400, 21600, `${f} is required`);
    }
    const address = {
      sid: sid('AD'),
      account_sid: this.accountSid,
      customer_name: p.CustomerName,
      street: p.Street,
      street_secondary: null,
      city: p.City,
      region: p.Region,
      postal_code: p.PostalCode,
      iso_country: p.IsoCountry,
      friendly_name: p.FriendlyName ?? null,
      emergency_enabled: false,
      validated: true,
      verified: false,
      date_created: rfc2822(),
      date_updated: rfc2822(),
      uri: '',
    };
    this.addresses.set(address.sid, address);
    return address;
  }

  private storeDocument(p: Record<string, string>, file?: { name: string; type: string; size: number }): Json {
    const doc = {
      sid: sid('RD'),
      account_sid: this.accountSid,
      friendly_name: p.FriendlyName,
      mime_type: file?.type ?? null,
      status: 'draft',
      failure_reason: null,
      errors: null,
      type: p.Type,
      attributes: parseJson(p.Attributes),
      date_created: iso(),
      date_updated: iso(),
      url: '',
      file,
    };
    this.documents.set(doc.sid, doc);
    const { file: _file, ...json } = doc;
    return json;
  }

  private uploadDocument(r: RecordedRequest): Json {
    const file = r.files.File;
    if (!r.params.FriendlyName || !r.params.Type || !file) throw new HttpError(400, 20001, 'FriendlyName, Type and File are required');
    if (!ALLOWED_UPLOAD_TYPES.has(file.type)) throw new HttpError(400, 12301, 'Invalid Upload Content-Type');
    return this.storeDocument(r.params, file);
  }

  private createBundle(p: Record<string, string>): Json {
    if (!p.FriendlyName || !p.Email) throw new HttpError(400, 20001, 'FriendlyName and Email are required');
    const regulation = p.RegulationSid ? this.regulations.find((x) => x.sid === p.RegulationSid) : undefined;
    if (p.RegulationSid && !regulation) throw new HttpError(400, 22201, `Regulation ${p.RegulationSid} not found`);
    const bundle: FakeBundle = {
      sid: sid('BU'),
      account_sid: this.accountSid,
      regulation_sid: regulation?.sid ?? null,
      friendly_name: p.FriendlyName,
      status: 'draft',
      valid_until: null,
      email: p.Email,
      status_callback: p.StatusCallback ?? null,
      date_created: iso(),
      date_updated: iso(),
      items: [],
      evaluations: [],
    };
    this.bundles.set(bundle.sid, bundle);
    return this.bundleJson(bundle);
  }

  private bundleJson(b: FakeBundle): Json {
    const url = `https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles/${b.sid}`;
    return {
      sid: b.sid,
      account_sid: this.accountSid,
      regulation_sid: b.regulation_sid,
      friendly_name: b.friendly_name,
      status: b.status,
      valid_until: b.valid_until,
      email: b.email,
      status_callback: b.status_callback,
      date_created: b.date_created,
      date_updated: b.date_updated,
      url,
      links: {
        evaluations: `${url}/Evaluations`,
        item_assignments: `${url}/ItemAssignments`,
        bundle_copies: `${url}/Copies`,
        replace_items: `${url}/ReplaceItems`,
      },
    };
  }

  private updateBundle(b: FakeBundle, p: Record<string, string>): Json {
    if (p.Status && Object.keys(p).length > 1) throw new HttpError(400, 22204, 'Bundle status and properties cannot be updated in the same request');
    if (p.Status) {
      if (p.Status !== 'pending-review') throw new HttpError(400, 22203, `Cannot move a bundle to ${p.Status}`);
      if (b.status !== 'draft') throw new HttpError(400, 22203, `Bundle is ${b.status}, not draft`);
      b.status = 'pending-review';
    }
    if (p.FriendlyName) b.friendly_name = p.FriendlyName;
    b.date_updated = iso();
    return this.bundleJson(b);
  }

  private assign(b: FakeBundle, objectSid: string): Json {
    if (!/^(IT|RD)[0-9a-f]{32}$/.test(objectSid ?? '') || !(this.endUsers.has(objectSid) || this.documents.has(objectSid))) {
      throw new HttpError(400, 22205, `Object ${objectSid} not found`);
    }
    if (!b.items.includes(objectSid)) b.items.push(objectSid);
    return { sid: sid('BV'), bundle_sid: b.sid, account_sid: this.accountSid, object_sid: objectSid, date_created: iso(), url: '' };
  }

  /** Compliant when an end user is assigned and every supporting-document requirement has an accepted document. */
  private evaluate(b: FakeBundle): Json {
    const regulation = this.regulations.find((x) => x.sid === b.regulation_sid);
    const requirements = (regulation?.requirements ?? {}) as {
      supporting_document?: Array<Array<{ name: string; requirement_name: string; accepted_documents: Array<{ type: string }> }>>;
    };
    const types = b.items.filter((s) => s.startsWith('RD')).map((s) => this.documents.get(s)!.type as string);
    const results: Json[] = [];
    const hasEndUser = b.items.some((s) => s.startsWith('IT'));
    results.push({
      friendly_name: 'End user',
      object_type: regulation?.end_user_type ?? 'business',
      passed: hasEndUser,
      failure_reason: hasEndUser ? null : 'An End-User is missing. Please add one to the regulatory bundle.',
      error_code: hasEndUser ? null : 22214,
      valid: [],
      invalid: [],
      requirement_friendly_name: 'End user',
      requirement_name: 'end_user_info',
    });
    for (const group of requirements.supporting_document ?? []) {
      for (const requirement of group) {
        const passed = requirement.accepted_documents.some((d) => types.includes(d.type));
        results.push({
          friendly_name: requirement.name,
          object_type: 'document',
          passed,
          failure_reason: passed ? null : `A ${requirement.name} document is missing. Please add one to the regulatory bundle.`,
          error_code: passed ? null : 22216,
          valid: [],
          invalid: [],
          requirement_friendly_name: requirement.name,
          requirement_name: requirement.requirement_name,
        });
      }
    }
    const evaluation = {
      sid: sid('EL'),
      account_sid: this.accountSid,
      regulation_sid: b.regulation_sid,
      bundle_sid: b.sid,
      status: results.every((x) => x.passed) ? 'compliant' : 'noncompliant',
      results,
      date_created: iso(),
      url: '',
    };
    (b.evaluations as Json[]).unshift(evaluation);
    return evaluation;
  }

  private searchAvailable(country: string, kind: string, r: RecordedRequest): Json {
    const type = { Local: 'local', Mobile: 'mobile', National: 'national', TollFree: 'toll-free' }[kind]!;
    const contains = r.query.Contains?.replace(/[*%+$]/g, '');
    const pageSize = Number(r.query.PageSize ?? 50);
    const numbers = this.ordered((this.available.get(`${country}:${type}`) ?? []).filter((n) => !contains || n.includes(contains))).slice(0, pageSize);
    return {
      available_phone_numbers: numbers.map((n) => ({
        friendly_name: n,
        phone_number: n,
        lata: null,
        locality: 'Ciudad de México',
        rate_center: null,
        latitude: null,
        longitude: null,
        region: null,
        postal_code: null,
        iso_country: country,
        address_requirements: 'local',
        beta: false,
        capabilities: { voice: true, sms: false, mms: false, fax: false },
      })),
      end: Math.max(numbers.length - 1, 0),
      first_page_uri: r.path,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri: r.path,
    };
  }

  private ordered(numbers: string[]): string[] {
    const search = this.searches++;
    if (this.searchOrder === 'rotating' && numbers.length > 0) {
      const shift = search % numbers.length;
      return [...numbers.slice(shift), ...numbers.slice(0, shift)];
    }
    if (this.searchOrder === 'shuffled') {
      const copy = [...numbers];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    }
    return numbers;
  }

  private listIncoming(r: RecordedRequest): Json {
    const all = [...this.incoming.values()].filter(
      (n) => (!r.query.PhoneNumber || n.phone_number === r.query.PhoneNumber) && (!r.query.FriendlyName || n.friendly_name === r.query.FriendlyName),
    );
    const pageSize = Number(r.query.PageSize ?? 50);
    return {
      incoming_phone_numbers: all.slice(0, pageSize),
      end: Math.max(all.length - 1, 0),
      first_page_uri: r.path,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri: r.path,
    };
  }

  private buy(p: Record<string, string>): FakeIncomingNumber {
    if (!p.PhoneNumber) throw new HttpError(400, 21451, 'You must provide an area_code or a phone_number');
    const key = [...this.available.keys()].find((k) => this.available.get(k)!.includes(p.PhoneNumber));
    if (!key) throw new HttpError(400, 21422, `PhoneNumber ${p.PhoneNumber} is not available`);
    if (p.BundleSid) {
      const bundle = this.bundles.get(p.BundleSid);
      if (!bundle || bundle.status !== 'twilio-approved') throw new HttpError(400, 21649, `Bundle [${p.BundleSid}] status is not twilio-approved`);
    }
    if (!p.AddressSid || !this.addresses.has(p.AddressSid)) throw new HttpError(400, 21631, 'Phone Number Requires an Address');
    this.available.set(
      key,
      this.available.get(key)!.filter((n) => n !== p.PhoneNumber),
    );
    return this.incomingNumber(p);
  }

  private incomingNumber(p: Record<string, string>): FakeIncomingNumber {
    const number: FakeIncomingNumber = {
      sid: sid('PN'),
      account_sid: this.accountSid,
      phone_number: p.PhoneNumber,
      friendly_name: p.FriendlyName ?? p.PhoneNumber,
      bundle_sid: p.BundleSid ?? null,
      address_sid: p.AddressSid ?? null,
      address_requirements: 'local',
      identity_sid: null,
      api_version: '2010-04-01',
      beta: false,
      capabilities: { voice: true, sms: false, mms: false, fax: false },
      origin: 'twilio',
      status: 'in-use',
      type: null,
      voice_url: p.VoiceUrl ?? null,
      voice_method: p.VoiceMethod ?? 'POST',
      voice_fallback_url: null,
      voice_fallback_method: 'POST',
      voice_caller_id_lookup: false,
      voice_application_sid: null,
      voice_receive_mode: 'voice',
      trunk_sid: null,
      sms_url: p.SmsUrl ?? null,
      sms_method: p.SmsMethod ?? 'POST',
      sms_fallback_url: null,
      sms_fallback_method: 'POST',
      sms_application_sid: null,
      status_callback: p.StatusCallback ?? null,
      status_callback_method: p.StatusCallbackMethod ?? 'POST',
      emergency_status: 'Inactive',
      emergency_address_sid: null,
      emergency_address_status: 'unregistered',
      date_created: rfc2822(),
      date_updated: rfc2822(),
      uri: '',
    };
    number.uri = `/2010-04-01/Accounts/${this.accountSid}/IncomingPhoneNumbers/${number.sid}.json`;
    this.incoming.set(number.sid, number);
    return number;
  }

  private updateIncoming(n: FakeIncomingNumber, p: Record<string, string>): FakeIncomingNumber {
    const map: Record<string, keyof FakeIncomingNumber> = {
      VoiceUrl: 'voice_url',
      VoiceMethod: 'voice_method',
      SmsUrl: 'sms_url',
      SmsMethod: 'sms_method',
      StatusCallback: 'status_callback',
      StatusCallbackMethod: 'status_callback_method',
      FriendlyName: 'friendly_name',
    };
    for (const [param, field] of Object.entries(map)) if (p[param] !== undefined) (n as Json)[field] = p[param];
    n.date_updated = rfc2822();
    return n;
  }

  private v2Page(key: string, items: unknown[], r: RecordedRequest): Json {
    const pageSize = Number(r.query.PageSize ?? 50);
    const url = `https://numbers.twilio.com${r.path}`;
    return {
      [key]: items.slice(0, pageSize),
      meta: { first_page_url: url, key, next_page_url: null, page: 0, page_size: pageSize, previous_page_url: null, url },
    };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 20001, 'Attributes must be JSON');
  }
}

const iso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const rfc2822 = (): string => new Date().toUTCString().replace('GMT', '+0000');
