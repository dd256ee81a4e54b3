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
  request(t.server)
    .post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`)
    .set(bearer(user))
    .send({ company_id: companyId });

describe('POST /api/phone-numbers/{phone_number}/configure', () => {
  it('sets the webhooks at Twilio, records the number, refreshes the lookup cache and returns the configuration', async () => {
    const number = randomMexicanNumber();
    const incoming = fake.addIncomingNumber(number, { voice_url: 'https://old.example/voice', sms_url: null });
    // a stale cached answer (another company) must not survive the configuration
    const other = await createCompany(t.db);
    await linkUserToNumber(t.db, number, owner.id, other.id);
    const resolver = t.app.get(PhoneNumberResolver);
    expect((await resolver.resolveNormalized(number))?.company_id).toBe(other.id);

    // A number no company has yet is assigned by a platform admin; the company's owner reconfigures it afterwards.
    const res = await configure(admin, `+52 ${number.slice(3, 5)} ${number.slice(5, 9)} ${number.slice(9)}`, company.id);
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
    const res = await configure(admin, number, company.id);
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
    const res = await configure(admin, number, company.id);
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
    expect(refused.body.message).toBe(`${number} is not a number of this company; a platform admin assigns numbers to companies`);
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
    expect(
      (
        await request(t.server)
          .post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`)
          .send({ company_id: company.id })
      ).status,
    ).toBe(401);
    const bad = await request(t.server)
      .post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`)
      .set(bearer(owner))
      .send({ company_id: 'nope' });
    expect(bad.status).toBe(400);
  });
});

describe('who may configure a number (DESIGN §4)', () => {
  const numberRows = async (number: string) => (await t.db.pool.query('select company_id from public.phone_numbers where phone_number = $1', [number])).rows;

  it('refuses an owner a number no company has yet (a platform admin assigns it), before touching Twilio', async () => {
    const number = randomMexicanNumber();
    const incoming = fake.addIncomingNumber(number);
    const res = await configure(owner, number, company.id);
    expect(res.status).toBe(403);
    expect(await numberRows(number)).toEqual([]);
    expect(fake.sent('api', new RegExp(incoming.sid), 'POST')).toHaveLength(0);
  });

  it("gives a non-admin the same answer for another company's number and for a number that does not exist", async () => {
    const theirs = randomMexicanNumber();
    const incoming = fake.addIncomingNumber(theirs);
    const other = await createCompany(t.db);
    await addPhoneNumber(t.db, other.id, { phone_number: theirs, twilio_sid: incoming.sid });
    const nowhere = randomMexicanNumber();
    const a = await configure(owner, theirs, company.id);
    const b = await configure(owner, nowhere, company.id);
    expect([a.status, b.status]).toEqual([403, 403]);
    expect(a.body.message.replace(theirs, 'N')).toBe(b.body.message.replace(nowhere, 'N'));
    expect(await numberRows(theirs)).toEqual([{ company_id: other.id }]);
    expect(await numberRows(nowhere)).toEqual([]);
    expect(fake.sent('api', new RegExp(incoming.sid), 'POST')).toHaveLength(0);
  });

  it("lets the company's owners and admins reconfigure a number recorded for their company", async () => {
    const number = randomMexicanNumber();
    const incoming = fake.addIncomingNumber(number, { voice_url: 'https://old.example/voice' });
    await addPhoneNumber(t.db, company.id, { phone_number: number, twilio_sid: incoming.sid });
    const res = await configure(owner, number, company.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ company_id: company.id, webhook_state: 'configured', voice_url: `https://api.test.example/voice/incoming/${company.id}` });
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
    expect((await configure(admin, good, c.id)).status).toBe(200);
    expect((await configure(admin, drifting, c.id)).status).toBe(200);
    drift.voice_url = 'https://someone-else.example/voice';
    const unknown = await addPhoneNumber(t.db, c.id);

    const res = await request(t.server).get(`/api/phone-numbers?company_id=${c.id}`).set(bearer(owner));
    expect(res.status).toBe(200);
    const byNumber = Object.fromEntries(res.body.map((n: { phone_number: string }) => [n.phone_number, n]));
    expect(byNumber[good]).toMatchObject({
      webhook_state: 'configured',
      urls_match: true,
      twilio: { voice_url: `https://api.test.example/voice/incoming/${c.id}` },
    });
    expect(byNumber[drifting]).toMatchObject({ webhook_state: 'drifted', urls_match: false, twilio: { voice_url: 'https://someone-else.example/voice' } });
    expect(byNumber[unknown]).toMatchObject({ webhook_state: 'not_configured', urls_match: null, twilio: null });
    expect(byNumber[good].expected).toEqual({
      voice_url: `https://api.test.example/voice/incoming/${c.id}`,
      sms_url: 'https://api.test.example/whatsapp/webhook',
      status_callback_url: 'https://api.test.example/voice/status',
    });
  });

  it('needs a company the user administers', async () => {
    expect(
      (
        await request(t.server)
          .get(`/api/phone-numbers?company_id=${company.id}`)
          .set(bearer(await testUser()))
      ).status,
    ).toBe(403);
    expect((await request(t.server).get('/api/phone-numbers').set(bearer(owner))).status).toBe(400);
  });
});
