import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { eventually, portOf } from './support/agent-session-fixtures.js';
import { companyWithRoles, CompanyWithRoles } from './support/company-roles.js';
import { addPhoneNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer } from './support/tokens.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ listen: true });
});
afterAll(() => t.close());

const WEBHOOK_URL = `${TEST_PUBLIC_BASE_URL}/whatsapp/webhook`;
/** One inbound SMS or WhatsApp message, signed as Twilio does. */
function text(to: string, from: string, body: string): request.Test {
  const params = {
    MessageSid: `SM${randomBytes(16).toString('hex')}`,
    AccountSid: 'AC11111111111111111111111111111111',
    NumMedia: '0',
    From: from,
    To: to,
    Body: body,
  };
  return request(t.server)
    .post('/whatsapp/webhook')
    .type('form')
    .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, WEBHOOK_URL, params))
    .send(params);
}

/** A company with roles, a number and an English agent with no transfer number (so it takes messages). */
async function textingCompany(): Promise<CompanyWithRoles & { number: string }> {
  const roles = await companyWithRoles(t);
  const number = await addPhoneNumber(t.db, roles.companyId);
  await t.db.call('save_agent_config', { p_company_id: roles.companyId, p_config: { language: 'en-US' }, p_replace: false });
  return { ...roles, number };
}

/** Reads a Server-Sent Events stream with fetch, as the README's browser client does. */
async function openStream(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; events: { id: string; event: string; data: Record<string, unknown> }[]; close(): void; raw: () => string }> {
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${portOf(t.app)}${path}`, { headers, signal: controller.signal });
  const events: { id: string; event: string; data: Record<string, unknown> }[] = [];
  let raw = '';
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const piece = decoder.decode(chunk, { stream: true });
          raw += piece;
          buffer += piece;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string): string | undefined =>
              block
                .split('\n')
                .find((line) => line.startsWith(`${name}: `))
                ?.slice(name.length + 2);
            const data = field('data');
            if (data) events.push({ id: field('id') ?? '', event: field('event') ?? '', data: JSON.parse(data) as Record<string, unknown> });
          }
        }
      } catch {
        /* aborted */
      }
    })();
  }
  return { status: res.status, events, close: () => controller.abort(), raw: () => raw };
}

describe('GET /api/companies/{company_id}/messages and /conversations', () => {
  it('list the messages the agent took and the SMS/WhatsApp threads, newest first, cursor-paged', async () => {
    const c = await textingCompany();
    for (const [i, from] of ['+14155550101', '+14155550102', '+14155550103'].entries()) {
      expect((await text(c.number, from, 'Do you sell purple unicorns?')).status).toBe(200);
      expect((await text(c.number, from, `This is caller ${i}, please call me back`)).status).toBe(200);
    }
    const page1 = await request(t.server).get(`/api/companies/${c.companyId}/messages?limit=2`).set(bearer(c.member));
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((m: { text: string }) => m.text)).toEqual(['This is caller 2, please call me back', 'This is caller 1, please call me back']);
    expect(page1.body.items[0]).toMatchObject({
      company_id: c.companyId,
      channel: 'sms',
      contact: '+14155550103',
      call_sid: null,
      conversation_id: expect.any(String),
    });
    const page2 = await request(t.server).get(`/api/companies/${c.companyId}/messages?limit=2&cursor=${page1.body.next_cursor}`).set(bearer(c.member));
    expect(page2.body.items.map((m: { text: string }) => m.text)).toEqual(['This is caller 0, please call me back']);
    expect(page2.body.next_cursor).toBeNull();

    const threads = await request(t.server).get(`/api/companies/${c.companyId}/conversations?limit=2`).set(bearer(c.owner));
    expect(threads.status).toBe(200);
    expect(threads.body.items.map((x: { contact: string }) => x.contact)).toEqual(['+14155550103', '+14155550102']);
    expect(threads.body.items[0]).toMatchObject({ channel: 'sms', turn_count: 4 });
    expect(threads.body.items[0].turns.map((turn: { role: string; action: string | null }) => [turn.role, turn.action])).toEqual([
      ['user', null],
      ['agent', 'take_message'],
      ['user', null],
      ['agent', 'message_taken'],
    ]);
    const rest = await request(t.server).get(`/api/companies/${c.companyId}/conversations?limit=2&cursor=${threads.body.next_cursor}`).set(bearer(c.owner));
    expect(rest.body.items.map((x: { contact: string }) => x.contact)).toEqual(['+14155550101']);
    expect((await request(t.server).get(`/api/companies/${c.companyId}/conversations?channel=whatsapp`).set(bearer(c.owner))).body.items).toEqual([]);
  });

  it('need a token and membership of the company, and show nothing of another company', async () => {
    const c = await textingCompany();
    const other = await textingCompany();
    await text(other.number, '+14155550199', 'Do you sell purple unicorns?');
    await text(other.number, '+14155550199', 'Call me, it is about the unicorns');
    for (const route of ['messages', 'conversations']) {
      const path = `/api/companies/${c.companyId}/${route}`;
      expect((await request(t.server).get(path)).status).toBe(401);
      expect((await request(t.server).get(path).set(bearer('not-a-token'))).status).toBe(401);
      expect((await request(t.server).get(path).set(bearer(c.outsider))).status).toBe(403);
      // a member of the other company asking for this one
      expect((await request(t.server).get(path).set(bearer(other.owner))).status).toBe(403);
      const own = await request(t.server).get(path).set(bearer(c.member));
      expect(own.status).toBe(200);
      expect(own.body).toEqual({ items: [], next_cursor: null });
      expect((await request(t.server).get(path).set(bearer(c.platformAdmin))).status).toBe(200);
    }
  });

  it('refuse bad input with 400', async () => {
    const c = await textingCompany();
    for (const query of ['limit=0', 'limit=201', 'limit=x', 'cursor=garbage', 'unknown=1']) {
      const res = await request(t.server).get(`/api/companies/${c.companyId}/messages?${query}`).set(bearer(c.owner));
      expect(res.status, query).toBe(400);
      expect(res.body.message).toEqual(expect.any(String));
    }
    expect((await request(t.server).get(`/api/companies/${c.companyId}/conversations?channel=voice`).set(bearer(c.owner))).status).toBe(400);
    expect((await request(t.server).get('/api/companies/not-a-uuid/messages').set(bearer(c.owner))).status).toBe(400);
  });
});

describe('GET /api/companies/{company_id}/events (Server-Sent Events)', () => {
  it("streams the company's live call events and outbox events, never another company's, and resumes after Last-Event-ID", async () => {
    const c = await textingCompany();
    const other = await textingCompany();
    const stream = await openStream(`/api/companies/${c.companyId}/events`, bearer(c.member));
    expect(stream.status).toBe(200);
    await eventually(async () => expect(stream.raw()).toContain(': connected'));

    // A call starts and speaks (what the gateways write), for both companies.
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const otherSid = `CA${randomBytes(16).toString('hex')}`;
    for (const [company, sid] of [
      [c.companyId, callSid],
      [other.companyId, otherSid],
    ]) {
      await t.db.pool.query(
        `insert into public.call_sessions (call_sid, company_id, from_number, to_number, status) values ($1, $2, '+525500000001', '+525512345678', 'in-progress')`,
        [sid, company],
      );
      await t.db.call('record_call_turn', { p_call_sid: sid, p_company_id: company, p_role: 'caller', p_text: 'Hola', p_interrupted: false, p_latency: null });
    }
    // A message taken by SMS.
    await text(c.number, '+14155550111', 'Do you sell purple unicorns?');
    await text(c.number, '+14155550111', 'Please call me back about unicorns');

    await eventually(async () => expect(stream.events.map((e) => e.event)).toEqual(['call.started', 'call.transcript', 'message.taken']), 10_000);
    const [started, transcript, taken] = stream.events;
    expect(started.data).toMatchObject({ type: 'call.started', company_id: c.companyId, data: { call_sid: callSid } });
    expect(transcript.data).toMatchObject({ type: 'call.transcript', data: { call_sid: callSid, role: 'caller', text: 'Hola' } });
    expect(taken.data).toMatchObject({ type: 'message.taken', company_id: c.companyId, data: { text: 'Please call me back about unicorns' } });
    expect(Object.keys(taken.data).sort()).toEqual(['company_id', 'created_at', 'data', 'id', 'type']);
    expect(Number(transcript.id)).toBeGreaterThan(Number(started.id));
    expect(stream.events.some((e) => JSON.stringify(e.data).includes(otherSid))).toBe(false);

    // The call ends: call.completed follows on the stream.
    await t.db.call('record_call_status', { p_call_sid: callSid, p_status: 'completed', p_duration_seconds: 30, p_rate_per_minute_usd: 0.01 });
    await eventually(async () => expect(stream.events.map((e) => e.event)).toContain('call.completed'), 10_000);
    stream.close();

    // Resume after the first event: everything after it comes again, in order, and nothing of the other company.
    const resumed = await openStream(`/api/companies/${c.companyId}/events`, { ...bearer(c.owner), 'Last-Event-ID': started.id });
    await eventually(async () => expect(resumed.events.map((e) => e.event)).toEqual(['call.transcript', 'message.taken', 'call.completed']), 10_000);
    expect(resumed.events.map((e) => e.id)).toEqual(stream.events.slice(1).map((e) => e.id));
    resumed.close();
  });

  it('needs a token and membership, and refuses a bad Last-Event-ID', async () => {
    const c = await textingCompany();
    const path = `/api/companies/${c.companyId}/events`;
    expect((await request(t.server).get(path)).status).toBe(401);
    expect((await request(t.server).get(path).set(bearer(c.outsider))).status).toBe(403);
    const bad = await request(t.server).get(path).set(bearer(c.member)).set('Last-Event-ID', 'evt_abc');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/Last-Event-ID/);
    expect((await request(t.server).get('/api/companies/nope/events').set(bearer(c.member))).status).toBe(400);
  });

  it('sends heartbeats while nothing happens', async () => {
    const quiet = await createTestApp({ listen: true, db: t.db, config: testConfig({ events: { stream: { heartbeatSeconds: 0.2 } } }) });
    try {
      const c = await companyWithRoles(quiet);
      const res = await fetch(`http://127.0.0.1:${portOf(quiet.app)}/api/companies/${c.companyId}/events`, { headers: bearer(c.member) });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let raw = '';
      while (!raw.includes(': ping')) raw += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
    } finally {
      await quiet.close();
    }
  });
});
