import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';
import { TwilioProvisioningClient } from '../src/provisioning/twilio-provisioning.client.js';
import { TwilioRestClient } from '../src/twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../src/twilio/twilio.tokens.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { freePort } from './support/api-process.js';

/**
 * Every request provisioning makes through the SDK, validated by Stoplight Prism against Twilio's own OpenAPI
 * specs. A request that breaks the spec gets 422 from Prism; a response carries `sl-violations` for whatever broke
 * the spec, with the location of each: only `request` violations are ours (Twilio's own examples break a few
 * response rules, so --errors, which turns those into 500s, is not used). A recording proxy in front of the two
 * mocks keeps the status and violations of every exchange.
 * (The upload host has no spec; its multipart request is asserted against the fake in bundles.e2e.spec.ts.)
 */
const SPECS = resolve(projectRoot(), '../shared/twilio-oai');
const haveSpecs = existsSync(resolve(SPECS, 'twilio_api_v2010.json')) && existsSync(resolve(SPECS, 'twilio_numbers_v2.json'));

interface Exchange {
  host: string;
  method: string;
  path: string;
  status: number;
  /** Violations of the request (ours); response ones are the spec examples' own. */
  violations: { location: string[]; message: string }[];
  body: string;
}

async function startPrism(spec: string): Promise<{ process: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(resolve(projectRoot(), 'node_modules/.bin/prism'), ['mock', spec, '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Prism did not start within 80 s: ${output.slice(-500)}`)), 80_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`Prism exited (${code}): ${output.slice(-500)}`)));
  });
  return { process: child, port };
}

describe.skipIf(!haveSpecs)(`requests validated by Prism against Twilio's specs${haveSpecs ? '' : ` (skipped: no specs in ${SPECS})`}`, () => {
  const exchanges: Exchange[] = [];
  let prisms: { process: ChildProcess; port: number }[] = [];
  let proxy: Server;
  let t: TestApp;
  let client: TwilioProvisioningClient;
  let sdk: TwilioRestClient;

  beforeAll(async () => {
    prisms = await Promise.all([startPrism(resolve(SPECS, 'twilio_api_v2010.json')), startPrism(resolve(SPECS, 'twilio_numbers_v2.json'))]);
    const ports: Record<string, number> = { api: prisms[0].port, numbers: prisms[1].port };
    proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
      const [, prefix, ...rest] = (req.url ?? '/').split('/');
      const path = '/' + rest.join('/');
      // Prism answers with a path's first example; for Regulations that is the empty list, so ask for the full one.
      const headers = path.startsWith('/v2/RegulatoryCompliance/Regulations') ? { ...req.headers, prefer: 'example=readFull' } : req.headers;
      const upstream = httpRequest({ host: '127.0.0.1', port: ports[prefix], method: req.method, path, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const header = answer.headers['sl-violations'];
          const all = (header ? JSON.parse(Array.isArray(header) ? header[0] : header) : []) as { location: string[]; message: string }[];
          const violations = all.filter((v) => v.location[0] === 'request');
          exchanges.push({ host: prefix, method: req.method!, path: path.split('?')[0], status: answer.statusCode!, violations, body: body.toString() });
          res.writeHead(answer.statusCode!, answer.headers).end(body);
        });
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    t = await createTestApp({ config: testConfig({ twilio: { apiBaseUrl: `${base}/api`, numbersBaseUrl: `${base}/numbers` } }) });
    client = t.app.get(TwilioProvisioningClient);
    sdk = t.app.get(TWILIO_REST_CLIENT);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    for (const p of prisms) p.process.kill('SIGTERM');
  });

  it('finds no violation in any request of the provisioning flow', async () => {
    const urls = {
      voiceUrl: 'https://api.test.example/voice/incoming/c',
      smsUrl: 'https://api.test.example/whatsapp/webhook',
      statusCallback: 'https://api.test.example/voice/status',
    };
    const regulation = await client.findRegulation('MX', 'local', 'business');
    expect(regulation?.sid).toMatch(/^RN/);
    const addressSid = await client.createAddress(
      { customer_name: 'Acme', street: 'Calle 1', city: 'CDMX', region: 'CDMX', postal_code: '03100', iso_country: 'MX' },
      'Address MX local',
    );
    const endUserSid = await client.createEndUser('Acme SA de CV', 'business', { business_name: 'Acme SA de CV', business_registration_number: 'ACM123' });
    const documentSid = await client.createDocument('Address', 'business_address', { address_sids: [addressSid] });
    const bundleSid = await client.createBundle({
      friendlyName: 'Bundle MX local',
      email: 'a@example.com',
      statusCallback: 'https://api.test.example/provisioning/bundles/status',
      regulationSid: regulation!.sid,
    });
    await client.assignItem(bundleSid, endUserSid);
    await client.assignItem(bundleSid, documentSid);
    await client.evaluate(bundleSid);
    await client.latestEvaluation(bundleSid);
    await client.submit(bundleSid);
    await client.fetchBundleStatus(bundleSid);
    const [candidate] = await client.searchAvailable('MX', 'local', '55', 3);
    await client.findIncomingByFriendlyName('bundle 6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5');
    const bought = await client.buyNumber({ phoneNumber: candidate, bundleSid, addressSid, friendlyName: 'bundle 6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5', urls });
    await client.findIncomingByNumber(bought.phone_number);
    await client.updateWebhooks(bought.sid, urls);
    await client.fetchIncoming(bought.sid);

    const problems = exchanges.filter((e) => e.status >= 400 || e.violations.length > 0);
    expect(problems, JSON.stringify(problems, null, 2)).toEqual([]);
    const seen = new Set(exchanges.map((e) => `${e.method} ${e.path.replace(/(AC|BU|PN)[0-9a-fA-F]{32}/g, '$1…')}`));
    expect([...seen].sort()).toEqual(
      [
        'GET /2010-04-01/Accounts/AC…/AvailablePhoneNumbers/MX/Local.json',
        'GET /2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json',
        'GET /2010-04-01/Accounts/AC…/IncomingPhoneNumbers/PN….json',
        'GET /v2/RegulatoryCompliance/Bundles/BU…',
        'GET /v2/RegulatoryCompliance/Bundles/BU…/Evaluations',
        'GET /v2/RegulatoryCompliance/Regulations',
        'POST /2010-04-01/Accounts/AC…/Addresses.json',
        'POST /2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json',
        'POST /2010-04-01/Accounts/AC…/IncomingPhoneNumbers/PN….json',
        'POST /v2/RegulatoryCompliance/Bundles',
        'POST /v2/RegulatoryCompliance/Bundles/BU…',
        'POST /v2/RegulatoryCompliance/Bundles/BU…/Evaluations',
        'POST /v2/RegulatoryCompliance/Bundles/BU…/ItemAssignments',
        'POST /v2/RegulatoryCompliance/EndUsers',
        'POST /v2/RegulatoryCompliance/SupportingDocuments',
      ].sort(),
    );
  }, 60_000);

  it('would catch a request that breaks the spec (the check is live)', async () => {
    const before = exchanges.length;
    const bundleSid = exchanges
      .find((e) => e.method === 'POST' && e.path === '/v2/RegulatoryCompliance/Bundles')!
      .body.match(/"sid":\s*"(BU[0-9a-fA-F]{32})"/)![1];
    await expect(sdk.numbers.v2.regulatoryCompliance.bundles(bundleSid).update({ status: 'approved-by-me' as 'pending-review' })).rejects.toMatchObject({
      status: 422,
    });
    const [bad] = exchanges.slice(before);
    expect(bad.status).toBe(422);
    expect(JSON.stringify(JSON.parse(bad.body).validation)).toMatch(/Status must be equal to one of the allowed values/);
  });
});
