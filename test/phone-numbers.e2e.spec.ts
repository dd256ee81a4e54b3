import request from 'supertest';
import { PhoneNumberResolver } from '../src/lookup/phone-number-resolver.js';
import { addMember, addPhoneNumber, createCompany, linkUserToNumber, randomMexicanNumber } from './support/factories.js';
import { FakeTwilioProvisioning } from './support/fake-twilio-provisioning.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer, testUser, TestUser } from './support/tokens.js';

let fake: FakeTwilioProvisioning;
let t: TestApp;
let admin: TestUser;
let owner: TestUser;
let company: { id: string; name: string };

beforeAll(async () => {
  fake = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
  t = await createTestApp({ config: testConfig({ twilio: fake.baseUrls() }) });
  admin = await testUser({ admin: true });
  owner = await testUser();
  company = await createCompany(t.db, { name: 'Numbers Co' });
  await addMember(t.db, company.id, owner.id, 'owner');
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
afterEach(() => fake.clearFaults());

const configure = (user: TestUser, number: string, companyId: string) =>
  request(t.server).post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`).set(bearer(user)).send({ company_id: companyId });

describe('POST /api/phone-numbers/{phone_number}/configure', () => {
  it('sets the webhooks at Twilio, records the number, refreshes the lookup cache and returns the configuration', async () => {
    const number = randomMexicanNumber();
    const incoming = fake.addIncomingNumber(number, { voice_url: 'https://old.example/voice', sms_url: null });
    // a stale cached answer (another company) must not survive the configuration
    const other = await createCompany(t.db);
    await linkUserToNumber(t.db, number, owner.id, other.id);
    const resolver = t.app.get(PhoneNumberResolver);
    expect((await resolver.resolveNormalized(number))?.company_id).toBe(other.id);

    const res = await configure(owner, `+52 ${number.slice(3, 5)} ${number.slice(5, 9)} ${number.slice(9)}`, company.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      phone_number: number,
      company_id: company.id,
      twilio_sid: incoming.sid,
      voice_url: `https://api.test.example/voice/incoming/${company.id}`,
      sms_url: 'https://api.test.example/whatsapp/webhook',
      status_callback_url: 'https://api.test.example/voice/status',
      webhook_state: 'configured',
    });
    const lookup = fake.sent('api', /\/IncomingPhoneNumbers\.json$/, 'GET').at(-1)!;
    expect(lookup.query.PhoneNumber).toBe(number);
    const update = fake.sent('api', new RegExp(`/IncomingPhoneNumbers/${incoming.sid}\\.json$`), 'POST');
    expect(update).toHaveLength(1);
    expect(update[0].params).toEqual({
      VoiceUrl: `https://api.test.example/voice/incoming/${company.id}`,
      VoiceMethod: 'POST',
      SmsUrl: 'https://api.test.example/whatsapp/webhook',
      SmsMethod: 'POST',
      StatusCallback: 'https://api.test.example/voice/status',
      StatusCallbackMethod: 'POST',
    });
    expect((await resolver.resolveNormalized(number))?.company_id).toBe(company.id);

    const again = await configure(owner, number, company.id);
    expect(again.status).toBe(200);
  });

  it('answers 404 for a number that is not in the Twilio account, and writes nothing', async () => {
    const number = randomMexicanNumber();
    const updatesBefore = fake.sent('api', /\/IncomingPhoneNumbers\/PN/, 'POST').length;
    const res = await configure(owner, number, company.id);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`${number} is not in the Twilio account; buy it (or port it) first`);
    expect((await t.db.pool.query('select 1 from public.phone_numbers where phone_number = $1', [number])).rowCount).toBe(0);
    expect(fake.sent('api', /\/IncomingPhoneNumbers\/PN/, 'POST').length).toBe(updatesBefore);
  });

  it('answers 400 for something that is not a phone number', async () => {
    const res = await configure(owner, 'hello', company.id);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/is not a phone number/);
  });

  it('answers 502 and writes nothing when Twilio fails to update', async () => {
    const number = randomMexicanNumber();
    fake.addIncomingNumber(number);
    fake.failNext({ host: 'api', method: 'POST', path: /\/IncomingPhoneNumbers\/PN/, fault: { status: 500 } });
    const res = await configure(owner, number, company.id);
    expect(res.status).toBe(502);
    expect((await t.db.pool.query('select 1 from public.phone_numbers where phone_number = $1', [number])).rowCount).toBe(0);
  });

  it('moves a number between companies for platform admins only, before touching Twilio', async () => {
    const number = randomMexicanNumber();
    const incoming = fake.addIncomingNumber(number);
    const other = await createCompany(t.db);
    await addPhoneNumber(t.db, other.id, { phone_number: number, twilio_sid: incoming.sid });
    const refused = await configure(owner, number, company.id);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/belongs to another company; only platform admins can move/);
    expect(fake.sent('api', new RegExp(incoming.sid), 'POST')).toHaveLength(0);
    const moved = await configure(admin, number, company.id);
    expect(moved.status).toBe(200);
    expect(moved.body.company_id).toBe(company.id);
  });

  it('is for owners and admins of the company', async () => {
    const member = await testUser();
    await addMember(t.db, company.id, member.id, 'member');
    const number = randomMexicanNumber();
    fake.addIncomingNumber(number);
    expect((await configure(member, number, company.id)).status).toBe(403);
    expect((await configure(await testUser(), number, company.id)).status).toBe(403);
    expect((await request(t.server).post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`).send({ company_id: company.id })).status).toBe(401);
    const bad = await request(t.server).post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`).set(bearer(owner)).send({ company_id: 'nope' });
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/phone-numbers?company_id=', () => {
  it("lists the company's numbers with whether Twilio's URLs still match, and records drift", async () => {
    const c = await createCompany(t.db);
    await addMember(t.db, c.id, owner.id, 'admin');
    const good = randomMexicanNumber();
    const drifting = randomMexicanNumber();
    fake.addIncomingNumber(good);
    const drift = fake.addIncomingNumber(drifting);
    expect((await configure(owner, good, c.id)).status).toBe(200);
    expect((await configure(owner, drifting, c.id)).status).toBe(200);
    drift.voice_url = 'https://someone-else.example/voice';
    const unknown = await addPhoneNumber(t.db, c.id);

    const res = await request(t.server).get(`/api/phone-numbers?company_id=${c.id}`).set(bearer(owner));
    expect(res.status).toBe(200);
    const byNumber = Object.fromEntries(res.body.map((n: { phone_number: string }) => [n.phone_number, n]));
    expect(byNumber[good]).toMatchObject({ webhook_state: 'configured', urls_match: true, twilio: { voice_url: `https://api.test.example/voice/incoming/${c.id}` } });
    expect(byNumber[drifting]).toMatchObject({ webhook_state: 'drifted', urls_match: false, twilio: { voice_url: 'https://someone-else.example/voice' } });
    expect(byNumber[unknown]).toMatchObject({ webhook_state: 'not_configured', urls_match: null, twilio: null });
    expect(byNumber[good].expected).toEqual({
      voice_url: `https://api.test.example/voice/incoming/${c.id}`,
      sms_url: 'https://api.test.example/whatsapp/webhook',
      status_callback_url: 'https://api.test.example/voice/status',
    });
  });

  it('needs a company the user administers', async () => {
    expect((await request(t.server).get(`/api/phone-numbers?company_id=${company.id}`).set(bearer(await testUser()))).status).toBe(403);
    expect((await request(t.server).get('/api/phone-numbers').set(bearer(owner))).status).toBe(400);
  });
});
