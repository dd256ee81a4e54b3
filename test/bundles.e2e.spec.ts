import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { BundleMonitor } from '../src/provisioning/bundle-monitor.js';
import { BundleSyncService } from '../src/provisioning/bundle-sync.service.js';
import { addMember, createCompany } from './support/factories.js';
import { FakeTwilioProvisioning } from './support/fake-twilio-provisioning.js';
import { bundleBody, PDF, PNG, postBundleCallback, uploadDocument } from './support/provisioning-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer, testUser, TestUser } from './support/tokens.js';

let fake: FakeTwilioProvisioning;
let t: TestApp;
let admin: TestUser;
let owner: TestUser;
let company: { id: string };

beforeAll(async () => {
  fake = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
  t = await createTestApp({ config: testConfig({ twilio: fake.baseUrls() }) });
  admin = await testUser({ admin: true });
  owner = await testUser();
  company = await createCompany(t.db, { name: 'Bundles Co' });
  await addMember(t.db, company.id, owner.id, 'owner');
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
afterEach(() => fake.clearFaults());

async function createBundle(overrides: Record<string, unknown> = {}) {
  const res = await request(t.server).post('/api/bundles').set(bearer(owner)).send(bundleBody(company.id, overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; twilio_bundle_sid: string; status: string; timeline: { event: string }[] };
}

/** Create, upload and submit: a bundle Twilio now reviews. */
async function submittedBundle() {
  const bundle = await createBundle();
  expect((await uploadDocument(t, owner, bundle.id)).status).toBe(201);
  const submit = await request(t.server).post(`/api/bundles/${bundle.id}/submit`).set(bearer(owner));
  expect(submit.status, JSON.stringify(submit.body)).toBe(200);
  return bundle;
}

const rowCount = async (table: string, where = 'true', params: unknown[] = []) =>
  Number((await t.db.pool.query(`select count(*) from public.${table} where ${where}`, params)).rows[0].count);

describe('the full flow: create → upload → evaluate → submit → callback approved → number bought and found', () => {
  it('provisions a configured number that the debug lookup resolves to the company', async () => {
    const created = await request(t.server).post('/api/bundles').set(bearer(owner)).send(bundleBody(company.id));
    expect(created.status).toBe(201);
    const bundle = created.body;
    expect(bundle).toMatchObject({ company_id: company.id, status: 'draft', purchase_state: 'none', phone_number: null, failure_reason: null });
    expect(bundle.twilio_bundle_sid).toMatch(/^BU[0-9a-f]{32}$/);
    expect(bundle.timeline.map((e: { event: string }) => e.event)).toEqual(['created']);

    // What we sent to Twilio to create it: the regulation looked up, never hard-coded; the address inside a document.
    const regulationQuery = fake.sent('numbers', /\/Regulations$/, 'GET').at(-1)!;
    expect(regulationQuery.query).toMatchObject({ IsoCountry: 'MX', NumberType: 'local', EndUserType: 'business', IncludeConstraints: 'true' });
    const address = fake.sent('api', /\/Addresses\.json$/, 'POST').at(-1)!;
    expect(address.params).toMatchObject({ CustomerName: 'Clínica Dental Sonrisa', Street: 'Av. Insurgentes Sur 1234', IsoCountry: 'MX', PostalCode: '03100' });
    const endUser = fake.sent('numbers', /\/EndUsers$/, 'POST').at(-1)!;
    expect(endUser.params.Type).toBe('business');
    expect(JSON.parse(endUser.params.Attributes)).toEqual({ business_name: 'Clínica Dental Sonrisa SA de CV', business_registration_number: 'CDS123456AB1' });
    const addressDoc = fake.sent('numbers', /\/SupportingDocuments$/, 'POST').at(-1)!;
    expect(addressDoc.params.Type).toBe('business_address');
    expect(JSON.parse(addressDoc.params.Attributes)).toEqual({ address_sids: [bundle.address_sid] });
    const bundleCreate = fake.sent('numbers', /\/Bundles$/, 'POST').at(-1)!;
    expect(bundleCreate.params).toEqual({
      FriendlyName: expect.any(String),
      Email: 'compliance@example.com',
      StatusCallback: 'https://api.test.example/provisioning/bundles/status',
      RegulationSid: bundle.regulation_sid,
    });
    expect(fake.bundles.get(bundle.twilio_bundle_sid)!.items).toEqual([bundle.end_user_sid, expect.stringMatching(/^RD/)]);

    // Without the identity document, Twilio says what is missing.
    const early = await request(t.server).post(`/api/bundles/${bundle.id}/evaluate`).set(bearer(owner));
    expect(early.status).toBe(200);
    expect(early.body.status).toBe('noncompliant');
    expect(early.body.results.filter((r: { passed: boolean }) => !r.passed).map((r: { requirement_name: string }) => r.requirement_name)).toEqual([
      'proof_of_identity',
    ]);
    const refused = await request(t.server).post(`/api/bundles/${bundle.id}/submit`).set(bearer(owner));
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/Proof of Identity document is missing/);

    const upload = await uploadDocument(t, owner, bundle.id);
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ upload_state: 'assigned', twilio_document_sid: expect.stringMatching(/^RD/) });
    const sentFile = fake.sent('numbersUpload', /^\/v2\/RegulatoryCompliance\/SupportingDocuments$/, 'POST').at(-1)!;
    expect(sentFile.contentType).toMatch(/^multipart\/form-data/);
    expect(sentFile.authorized).toBe(true);
    expect(sentFile.params.Type).toBe('business_registration');
    expect(JSON.parse(sentFile.params.Attributes)).toEqual({ business_name: 'Clínica Dental Sonrisa SA de CV', registration_number: 'CDS123456AB1' });
    expect(sentFile.files.File).toEqual({ name: 'acta.pdf', type: 'application/pdf', size: PDF.length });

    const evaluated = await request(t.server).post(`/api/bundles/${bundle.id}/evaluate`).set(bearer(owner));
    expect(evaluated.body).toMatchObject({ status: 'compliant', documents_pending: 0 });

    const submitted = await request(t.server).post(`/api/bundles/${bundle.id}/submit`).set(bearer(owner));
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('pending-review');
    expect(fake.sent('numbers', new RegExp(`/Bundles/${bundle.twilio_bundle_sid}$`), 'POST').at(-1)!.params).toEqual({ Status: 'pending-review' });

    // Twilio approves and calls back; the callback body is only a trigger (its Status is ignored).
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    const callback = await postBundleCallback(t, { BundleSid: bundle.twilio_bundle_sid, Status: 'twilio-rejected', AccountSid: TEST_TWILIO_ACCOUNT_SID });
    expect(callback.status).toBe(204);
    await t.app.get(BundleSyncService).idle(); // the callback answered at once; the purchase ran in the background

    const done = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(done.body).toMatchObject({ status: 'twilio-approved', purchase_state: 'purchased', failure_reason: null });
    const bought = fake.numbersForBundle(bundle.twilio_bundle_sid);
    expect(bought).toHaveLength(1);
    expect(done.body.phone_number).toBe(bought[0].phone_number);
    const purchase = fake.sent('api', /\/IncomingPhoneNumbers\.json$/, 'POST');
    expect(purchase).toHaveLength(1);
    expect(purchase[0].params).toEqual({
      PhoneNumber: bought[0].phone_number,
      BundleSid: bundle.twilio_bundle_sid,
      AddressSid: bundle.address_sid,
      FriendlyName: `bundle ${bundle.id}`,
      VoiceUrl: `https://api.test.example/voice/incoming/${company.id}`,
      VoiceMethod: 'POST',
      SmsUrl: 'https://api.test.example/whatsapp/webhook',
      SmsMethod: 'POST',
      StatusCallback: 'https://api.test.example/voice/status',
      StatusCallbackMethod: 'POST',
    });
    const search = fake.sent('api', /\/AvailablePhoneNumbers\/MX\/Local\.json$/, 'GET').at(-1)!;
    expect(search.query).toMatchObject({ VoiceEnabled: 'true', Contains: '55' });
    expect(done.body.timeline.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining([
        'created',
        'evaluated',
        'document_stored',
        'document_uploaded',
        'document_assigned',
        'submitted',
        'status_changed',
        'purchase_started',
        'number_purchased',
      ]),
    );

    const lookup = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(done.body.phone_number)}`)
      .set(bearer(admin));
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({
      company: { id: company.id, name: 'Bundles Co' },
      user_id: owner.id,
      matched_table: 'phone_numbers',
      webhooks: { state: 'configured', voice_url: `https://api.test.example/voice/incoming/${company.id}`, twilio_sid: bought[0].sid },
      hints: [],
    });

    // A repeated callback buys nothing more.
    expect((await postBundleCallback(t, { BundleSid: bundle.twilio_bundle_sid, Status: 'twilio-approved' })).status).toBe(204);
    await t.app.get(BundleSyncService).idle();
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(1);
  });
});

describe('rejection and polling', () => {
  it('keeps the reason when Twilio rejects the bundle, and buys nothing', async () => {
    const bundle = await submittedBundle();
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-rejected');
    // the reason comes from Twilio's latest evaluation, not from the callback
    fake.bundles.get(bundle.twilio_bundle_sid)!.evaluations = [
      {
        sid: 'EL' + '0'.repeat(32),
        status: 'noncompliant',
        results: [{ friendly_name: 'Address', passed: false, failure_reason: 'The address is outside the number prefix region' }],
      },
    ];
    expect((await postBundleCallback(t, { BundleSid: bundle.twilio_bundle_sid, Status: 'twilio-rejected' })).status).toBe(204);
    await t.app.get(BundleSyncService).idle();
    const res = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(res.body).toMatchObject({
      status: 'twilio-rejected',
      purchase_state: 'none',
      phone_number: null,
      failure_reason: 'The address is outside the number prefix region',
    });
    expect(res.body.timeline.at(-1)).toMatchObject({ event: 'status_changed', detail: { from: 'pending-review', to: 'twilio-rejected', source: 'callback' } });
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(0);
  });

  it('finds the approval by polling when no callback ever comes, through in-review', async () => {
    const bundle = await submittedBundle();
    const monitor = t.app.get(BundleMonitor);
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'in-review');
    await monitor.runOnce();
    expect((await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner))).body.status).toBe('in-review');
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    await monitor.runOnce();
    const res = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(res.body).toMatchObject({ status: 'twilio-approved', purchase_state: 'purchased' });
    expect(
      res.body.timeline
        .filter((e: { event: string }) => e.event === 'status_changed')
        .map((e: { detail: { to: string; source: string } }) => [e.detail.to, e.detail.source]),
    ).toEqual([
      ['in-review', 'poll'],
      ['twilio-approved', 'poll'],
    ]);
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(1);
    await monitor.runOnce();
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(1);
  });

  it('retries a purchase that got no answer on the next poll, without buying twice', async () => {
    const bundle = await submittedBundle();
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    // Twilio buys the number, then the answer is lost
    fake.failNext({ host: 'api', method: 'POST', path: /\/IncomingPhoneNumbers\.json$/, fault: { status: 500, afterCommit: true } });
    const monitor = t.app.get(BundleMonitor);
    await monitor.runOnce();
    let res = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(res.body).toMatchObject({ status: 'twilio-approved', purchase_state: 'purchasing', purchase_error: expect.stringMatching(/HTTP 500/) });
    await monitor.runOnce();
    res = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(res.body.purchase_state).toBe('purchased');
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(1);
    expect(res.body.phone_number).toBe(fake.numbersForBundle(bundle.twilio_bundle_sid)[0].phone_number);
  });

  it('marks the purchase failed when Twilio has no numbers to sell', async () => {
    const bundle = await submittedBundle();
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    const stock = fake.available.get('MX:local')!;
    fake.available.set('MX:local', []);
    try {
      await t.app.get(BundleMonitor).runOnce();
    } finally {
      fake.available.set('MX:local', stock);
    }
    const res = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(res.body).toMatchObject({ purchase_state: 'failed', purchase_error: 'Twilio has no local numbers for sale in MX' });
  });
});

describe('the status callback', () => {
  it('refuses an unsigned or wrongly signed callback before anything runs', async () => {
    const bundle = await submittedBundle();
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    const before = fake.requests.length;
    const res = await postBundleCallback(t, { BundleSid: bundle.twilio_bundle_sid }, 'bad-signature');
    expect(res.status).toBe(403);
    expect(fake.requests.length).toBe(before);
    expect((await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner))).body.status).toBe('pending-review');
  });

  it('answers at once and buys the number in the background, even when Twilio is slow', async () => {
    const bundle = await submittedBundle();
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    // Twilio takes 3 s to answer the purchase: the callback must not keep Twilio waiting that long
    fake.failNext({ host: 'api', method: 'POST', path: /\/IncomingPhoneNumbers\.json$/, fault: { hangMs: 3_000, afterCommit: true } });
    const started = Date.now();
    const res = await postBundleCallback(t, { BundleSid: bundle.twilio_bundle_sid, Status: 'twilio-approved' });
    const answeredMs = Date.now() - started;
    expect(res.status).toBe(204);
    expect(answeredMs).toBeLessThan(2_000);
    await t.app.get(BundleSyncService).idle();
    // the hung purchase was made; the poll (or the next callback) finds and records it
    await t.app.get(BundleMonitor).runOnce();
    const done = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(done.body.purchase_state).toBe('purchased');
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(1);
  });

  it('ignores unknown or malformed bundle SIDs', async () => {
    const before = fake.requests.length;
    expect((await postBundleCallback(t, { BundleSid: 'BU' + 'f'.repeat(32), Status: 'twilio-approved' })).status).toBe(204);
    expect((await postBundleCallback(t, { BundleSid: 'nonsense', Extra: 'x' })).status).toBe(204);
    expect(fake.requests.length).toBe(before);
  });
});

describe('documents: kept when Twilio is down, checked for size and type', () => {
  it('stores a document Twilio could not take, and sends it on the next evaluation', async () => {
    const bundle = await createBundle();
    fake.failNext({ host: 'numbersUpload', path: /SupportingDocuments$/, fault: { status: 503 } });
    const res = await uploadDocument(t, owner, bundle.id, { file: PNG, filename: 'id.png', contentType: 'image/png' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ upload_state: 'stored', twilio_document_sid: null, last_error: expect.stringMatching(/HTTP 503/) });
    const stored = await t.db.pool.query('select content from public.regulatory_bundle_documents where id = $1', [res.body.id]);
    expect(Buffer.compare(stored.rows[0].content, PNG)).toBe(0);

    const evaluated = await request(t.server).post(`/api/bundles/${bundle.id}/evaluate`).set(bearer(owner));
    expect(evaluated.body).toMatchObject({ status: 'compliant', documents_pending: 0 });
    const after = await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(owner));
    expect(after.body.documents[0]).toMatchObject({ upload_state: 'assigned', attempts: 1, last_error: null });
    expect(fake.sent('numbersUpload', /SupportingDocuments$/).at(-1)!.files.File).toEqual({ name: 'id.png', type: 'image/png', size: PNG.length });
  });

  it('refuses to submit while a document has not reached Twilio', async () => {
    const bundle = await createBundle();
    fake.failNext({ host: 'numbersUpload', path: /SupportingDocuments$/, fault: { status: 500 }, times: 2 });
    expect((await uploadDocument(t, owner, bundle.id)).body.upload_state).toBe('stored');
    const res = await request(t.server).post(`/api/bundles/${bundle.id}/submit`).set(bearer(owner));
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/have not reached Twilio yet/);
    expect(fake.bundles.get(bundle.twilio_bundle_sid)!.status).toBe('draft');
  });

  it.each([
    ['an oversized file', { file: Buffer.concat([PDF, Buffer.alloc(70 * 1024)]) }, 413, /limit is 65536 bytes/],
    ['a file of another type', { file: Buffer.from('hello'), filename: 'a.txt', contentType: 'text/plain' }, 415, /PDF, JPEG or PNG; got text\/plain/],
    ['a file whose content is not its type', { file: Buffer.from('MZ not a pdf at all'), filename: 'x.pdf' }, 415, /content is not application\/pdf/],
    ['a type the regulation does not accept', { type: 'passport' }, 400, /not a document this bundle's regulation accepts; use one of: business_registration/],
    ['attributes that are not JSON', { attributes: '{oops' }, 400, /attributes must be a JSON object string/],
    ['attributes that are a list', { attributes: '[1,2]' }, 400, /attributes must be a JSON object/],
  ])('refuses %s with a clear message and keeps nothing', async (_name, options, status, message) => {
    const bundle = await createBundle();
    const uploadsBefore = fake.sent('numbersUpload', /./).length;
    const res = await uploadDocument(t, owner, bundle.id, options as Parameters<typeof uploadDocument>[3]);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(await rowCount('regulatory_bundle_documents', 'bundle_id = $1', [bundle.id])).toBe(0);
    expect(fake.sent('numbersUpload', /./).length).toBe(uploadsBefore);
  });

  it('needs a file', async () => {
    const bundle = await createBundle();
    const res = await request(t.server).post(`/api/bundles/${bundle.id}/documents`).set(bearer(owner)).field('type', 'business_registration');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/file is required/);
  });

  it('takes documents only while the bundle is a draft', async () => {
    const bundle = await submittedBundle();
    const res = await uploadDocument(t, owner, bundle.id);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/only while the bundle is a draft; it is pending-review/);
  });
});

describe('bad input when creating: 4xx with a clear message and nothing written', () => {
  it.each([
    [
      'an unknown country',
      { iso_country: 'ZZ', address: { ...(bundleBody('x').address as object), iso_country: 'ZZ' } },
      400,
      /no regulation for local numbers in ZZ for business end users/,
    ],
    ['a number type the country has no regulation for', { number_type: 'toll-free' }, 400, /no regulation for toll-free numbers in MX/],
    ['a number type that does not exist', { number_type: 'premium' }, 400, /number_type must be one of local, mobile, national, toll-free/],
    ['a lowercase country', { iso_country: 'mx' }, 400, /iso_country must be a two-letter ISO country code/],
    [
      'missing end-user fields',
      { end_user: { business_name: 'Acme' } },
      400,
      /end_user is missing what the MX local regulation asks for: business_registration_number/,
    ],
    ['an address in another country', { address: { ...(bundleBody('x').address as object), iso_country: 'US' } }, 400, /address.iso_country must be MX/],
    ['an unknown field', { surprise: true }, 400, /property surprise should not exist/],
    ['a bad email', { email: 'nope' }, 400, /email must be an email address/],
  ])('refuses %s', async (_name, overrides, status, message) => {
    const bundlesBefore = await rowCount('regulatory_bundles');
    const writesBefore = fake.requests.filter((r) => r.method === 'POST').length;
    const res = await request(t.server).post('/api/bundles').set(bearer(owner)).send(bundleBody(company.id, overrides));
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(await rowCount('regulatory_bundles')).toBe(bundlesBefore);
    expect(fake.requests.filter((r) => r.method === 'POST').length).toBe(writesBefore);
  });

  it('answers 502 and saves nothing when Twilio fails half way', async () => {
    const before = await rowCount('regulatory_bundles');
    fake.failNext({ host: 'numbers', method: 'POST', path: /\/Bundles$/, fault: { status: 500 } });
    const res = await request(t.server).post('/api/bundles').set(bearer(owner)).send(bundleBody(company.id));
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/Twilio could not create the bundle: HTTP 500.*Nothing was saved/);
    expect(await rowCount('regulatory_bundles')).toBe(before);
  });
});

describe('access', () => {
  it('is for the company owners and admins, or platform admins', async () => {
    const bundle = await createBundle();
    const member = await testUser();
    await addMember(t.db, company.id, member.id, 'member');
    const stranger = await testUser();
    expect((await request(t.server).post('/api/bundles').send(bundleBody(company.id))).status).toBe(401);
    expect((await request(t.server).post('/api/bundles').set(bearer(member)).send(bundleBody(company.id))).status).toBe(403);
    expect((await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(member))).status).toBe(403);
    expect((await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(stranger))).status).toBe(403);
    expect((await request(t.server).post(`/api/bundles/${bundle.id}/evaluate`).set(bearer(stranger))).status).toBe(403);
    expect((await uploadDocument(t, stranger, bundle.id)).status).toBe(403);
    expect((await request(t.server).get(`/api/bundles?company_id=${company.id}`).set(bearer(stranger))).status).toBe(403);
    expect((await request(t.server).get(`/api/bundles/${bundle.id}`).set(bearer(admin))).status).toBe(200);
    expect((await request(t.server).get(`/api/bundles/${randomUUID()}`).set(bearer(admin))).status).toBe(404);
    expect((await request(t.server).get('/api/bundles/not-a-uuid').set(bearer(admin))).status).toBe(400);
  });

  it('lists the company bundles in the contract shape', async () => {
    const other = await createCompany(t.db);
    await addMember(t.db, other.id, owner.id, 'admin');
    const res = await request(t.server).post('/api/bundles').set(bearer(owner)).send(bundleBody(other.id));
    expect(res.status).toBe(201);
    const list = await request(t.server).get(`/api/bundles?company_id=${other.id}`).set(bearer(owner));
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    for (const key of ['id', 'company_id', 'twilio_bundle_sid', 'status', 'purchase_state', 'phone_number', 'failure_reason', 'timeline']) {
      expect(list.body[0]).toHaveProperty(key);
    }
    expect(list.body[0].timeline[0]).toEqual({ at: expect.any(String), event: 'created', status: 'draft', purchase_state: 'none', detail: expect.any(Object) });
  });
});

describe('POST /api/debug/bundles/{bundle_id}/simulate-approval', () => {
  it('approves without the review and buys the number (Twilio approved, callback lost)', async () => {
    const bundle = await submittedBundle();
    fake.setBundleStatus(bundle.twilio_bundle_sid, 'twilio-approved');
    const res = await request(t.server).post(`/api/debug/bundles/${bundle.id}/simulate-approval`).set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'twilio-approved', purchase_state: 'purchased' });
    expect(res.body.timeline.find((e: { event: string }) => e.event === 'status_changed').detail.source).toBe('simulated');
  });

  it("reports Twilio's refusal when Twilio itself has not approved the bundle", async () => {
    const bundle = await submittedBundle();
    const res = await request(t.server).post(`/api/debug/bundles/${bundle.id}/simulate-approval`).set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'twilio-approved', purchase_state: 'failed', purchase_error: expect.stringMatching(/error 21649/) });
    expect(fake.numbersForBundle(bundle.twilio_bundle_sid)).toHaveLength(0);
  });

  it('is for platform admins only', async () => {
    const bundle = await createBundle();
    expect((await request(t.server).post(`/api/debug/bundles/${bundle.id}/simulate-approval`).set(bearer(owner))).status).toBe(403);
    expect((await request(t.server).post(`/api/debug/bundles/${randomUUID()}/simulate-approval`).set(bearer(admin))).status).toBe(404);
  });

  it('is refused in production', async () => {
    const prod = await createTestApp({ config: testConfig({ env: 'production', twilio: fake.baseUrls() }), db: undefined });
    try {
      const c = await createCompany(prod.db);
      const u = await testUser();
      await addMember(prod.db, c.id, u.id, 'owner');
      const created = await request(prod.server).post('/api/bundles').set(bearer(u)).send(bundleBody(c.id));
      const res = await request(prod.server).post(`/api/debug/bundles/${created.body.id}/simulate-approval`).set(bearer(admin));
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('Simulated approval is refused in production');
      expect((await request(prod.server).get(`/api/bundles/${created.body.id}`).set(bearer(u))).body.status).toBe('draft');
    } finally {
      await prod.close();
    }
  });
});
