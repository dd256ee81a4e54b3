import request from 'supertest';
import { LiveCallRegistry } from '../src/agent-session/live-calls.registry.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, newCallSid, openCallSession, portOf, transcriptOf } from './support/agent-session-fixtures.js';
import { companyWithRoles, CompanyWithRoles } from './support/company-roles.js';
import { FakeTwilioCalls } from './support/fake-twilio-calls.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { openTestDatabase } from './support/test-database.js';
import { bearer, testUser, TestUser } from './support/tokens.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';

/**
 * `POST /api/companies/{company_id}/calls/{call_sid}/hangup|transfer` (DESIGN §4, §10): supervisors end or transfer a
 * live call through Twilio's REST call update, from any instance. The fake speaks Twilio's call update.
 */
let twilio: FakeTwilioCalls;
let t: TestApp;
let roles: CompanyWithRoles;

beforeAll(async () => {
  twilio = await new FakeTwilioCalls().listen();
  t = await createTestApp({ config: testConfig({ twilio: { apiBaseUrl: twilio.baseUrl } }) });
  roles = await companyWithRoles(t, 'Control Co');
});
afterAll(async () => {
  await t.close();
  await twilio.close();
});
afterEach(() => {
  twilio.failWith = null;
});

const hangup = (companyId: string, callSid: string, user?: TestUser): request.Test => {
  const req = request(t.server).post(`/api/companies/${companyId}/calls/${callSid}/hangup`);
  return user ? req.set(bearer(user)) : req;
};
const transfer = (companyId: string, callSid: string, body: object, user?: TestUser): request.Test => {
  const req = request(t.server).post(`/api/companies/${companyId}/calls/${callSid}/transfer`).send(body);
  return user ? req.set(bearer(user)) : req;
};
const updatesOf = (callSid: string) => twilio.updates.filter((u) => u.callSid === callSid);
const systemTurns = async (callSid: string): Promise<string[]> => (await transcriptOf(t.db, callSid)).filter((r) => r.role === 'system').map((r) => r.text);

describe('POST .../calls/{call_sid}/hangup', () => {
  it('ends the live call through Twilio (Status=completed) for an owner, and records why', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    const res = await hangup(roles.companyId, callSid, roles.owner);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ call_sid: callSid, action: 'hangup', to: null });
    expect(updatesOf(callSid)).toHaveLength(1);
    expect(updatesOf(callSid)[0].params).toEqual({ Status: 'completed' });
    expect(await systemTurns(callSid)).toEqual(['hangup_by_api']);
  });

  it('refuses without a token (401), an outsider (403) and a plain member (403), and asks Twilio nothing', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    await hangup(roles.companyId, callSid).expect(401);
    await hangup(roles.companyId, callSid, roles.outsider).expect(403);
    await hangup(roles.companyId, callSid, roles.member).expect(403);
    expect(updatesOf(callSid)).toHaveLength(0);
  });

  it("answers 404 for another company's call exactly as for an unknown one, even to that company's own owner", async () => {
    const other = await companyWithRoles(t, 'Other Co');
    const theirs = await openCallSession(t.db, other.companyId);
    const foreign = await hangup(roles.companyId, theirs, roles.owner);
    const unknown = await hangup(roles.companyId, newCallSid(), roles.owner);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.error).toBe(unknown.body.error);
    // the other company's owner addressing it through our company id is not a member here
    await hangup(roles.companyId, theirs, other.owner).expect(403);
    expect(updatesOf(theirs)).toHaveLength(0);
  });

  it('answers 409 for a call that has already ended, and 409 when Twilio says the call is no longer in progress', async () => {
    const ended = await openCallSession(t.db, roles.companyId);
    await t.db.pool.query("update public.call_sessions set status = 'completed', ended_at = now() where call_sid = $1", [ended]);
    const res = await hangup(roles.companyId, ended, roles.admin);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/already ended/);
    expect(updatesOf(ended)).toHaveLength(0);

    const goneAtTwilio = await openCallSession(t.db, roles.companyId);
    twilio.failWith = 404;
    await hangup(roles.companyId, goneAtTwilio, roles.admin).expect(409);
    expect(await systemTurns(goneAtTwilio)).toEqual([]);
  });

  it('answers 502 when Twilio fails, and records nothing', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    twilio.failWith = 500;
    const res = await hangup(roles.companyId, callSid, roles.owner);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ statusCode: 502, message: expect.stringMatching(/nothing was changed/) });
    expect(await systemTurns(callSid)).toEqual([]);
    const { rows } = await t.db.pool.query('select status, ended_at from public.call_sessions where call_sid = $1', [callSid]);
    expect(rows[0]).toEqual({ status: 'in-progress', ended_at: null });
  });

  it('refuses a malformed company id or call SID with 400', async () => {
    await hangup('not-a-uuid', newCallSid(), roles.owner).expect(400);
    await hangup(roles.companyId, 'bad sid!', roles.owner).expect(400);
  });
});

describe('POST .../calls/{call_sid}/transfer', () => {
  it('dials the number through Twilio (TwiML <Dial>) for an admin, and records why', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    const res = await transfer(roles.companyId, callSid, { to: '+525511112222' }, roles.admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ call_sid: callSid, action: 'transfer', to: '+525511112222' });
    expect(updatesOf(callSid)).toHaveLength(1);
    expect(updatesOf(callSid)[0].params.Twiml).toMatch(/<Response><Dial>\+525511112222<\/Dial><\/Response>/);
    expect(await systemTurns(callSid)).toEqual(['transferred_by_api: +525511112222']);
  });

  it.each([
    ['+19005551234', /premium-rate/],
    ['+34803123456', /premium-rate/],
    ['+881612345678', /satellite/],
    ['+5290012345678', /not a valid phone number/],
    ['5511112222', /E\.164/],
    [12345, /E\.164/],
  ])('refuses to dial %s with 400 and asks Twilio nothing', async (to, message) => {
    const callSid = await openCallSession(t.db, roles.companyId);
    const res = await transfer(roles.companyId, callSid, { to }, roles.owner);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toMatch(message);
    expect(updatesOf(callSid)).toHaveLength(0);
  });

  it('refuses a missing number or an unknown field with 400', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    await transfer(roles.companyId, callSid, {}, roles.owner).expect(400);
    await transfer(roles.companyId, callSid, { to: '+525511112222', extra: 1 }, roles.owner).expect(400);
    expect(updatesOf(callSid)).toHaveLength(0);
  });

  it('refuses without a token, an outsider, a member; 404 for a call of another company; 502 when Twilio fails', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    await transfer(roles.companyId, callSid, { to: '+525511112222' }).expect(401);
    await transfer(roles.companyId, callSid, { to: '+525511112222' }, roles.outsider).expect(403);
    await transfer(roles.companyId, callSid, { to: '+525511112222' }, roles.member).expect(403);
    const other = await companyWithRoles(t, 'Other Co');
    const theirs = await openCallSession(t.db, other.companyId);
    await transfer(roles.companyId, theirs, { to: '+525511112222' }, roles.owner).expect(404);
    twilio.failWith = 503;
    await transfer(roles.companyId, callSid, { to: '+525511112222' }, roles.owner).expect(502);
    expect(updatesOf(callSid)).toHaveLength(0);
    expect(updatesOf(theirs)).toHaveLength(0);
    expect(await systemTurns(callSid)).toEqual([]);
  });

  it('a platform admin may control any company’s call', async () => {
    const callSid = await openCallSession(t.db, roles.companyId);
    await transfer(roles.companyId, callSid, { to: '+14155552671' }, await testUser({ admin: true })).expect(200);
  });
});

describe('control from the instance that does not hold the stream', () => {
  it("instance B hangs up a call whose ConversationRelay stream lives on instance A; A's session closes when Twilio stops the stream", async () => {
    const db = await openTestDatabase();
    const config = testConfig({ twilio: { apiBaseUrl: twilio.baseUrl } });
    const a = await createTestApp({ db, config, listen: true });
    const b = await createTestApp({ db, config });
    try {
      const company = await createVoiceCompany(db);
      const owner = await testUser();
      await db.pool.query("insert into public.company_members (company_id, user_id, role) values ($1, $2, 'owner')", [company.id, owner.id]);
      const callSid = await openCallSession(db, company.id);
      const client = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(a.app)}/conversation-relay`);
      client.setup(callSid, a.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay'));
      await eventually(async () =>
        expect(
          a.app
            .get(LiveCallRegistry)
            .list()
            .map((c) => c.callSid),
        ).toContain(callSid),
      );

      await request(b.server).post(`/api/companies/${company.id}/calls/${callSid}/hangup`).set(bearer(owner)).expect(200);
      expect(updatesOf(callSid).map((u) => u.params)).toEqual([{ Status: 'completed' }]);
      // Twilio ends the call: its WebSocket closes, and A cleans the session up as on any hang-up
      client.close();
      await eventually(async () =>
        expect(
          a.app
            .get(LiveCallRegistry)
            .list()
            .map((c) => c.callSid),
        ).not.toContain(callSid),
      );
      const { rows } = await db.pool.query<{ text: string }>("select text from public.call_transcripts where call_sid = $1 and role = 'system'", [callSid]);
      expect(rows.map((r) => r.text)).toContain('hangup_by_api');
    } finally {
      await b.close();
      await a.close();
      await db.close();
    }
  });
});
