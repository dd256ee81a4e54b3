import { connect } from 'node:net';
import request from 'supertest';
import { companyWithRoles, CompanyWithRoles } from './support/company-roles.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer, testUser } from './support/tokens.js';
import { addPhoneNumber, createCompany } from './support/factories.js';
import { parseTwiml, signedPost, TwimlNode, voiceWebhook } from './support/voice-webhooks.js';

/** DESIGN §4's dial-out guard and voices per path, through the real app. */
let t: TestApp;
let c: CompanyWithRoles;
beforeAll(async () => {
  t = await createTestApp({ listen: true });
  c = await companyWithRoles(t, 'Voices Co');
});
afterAll(() => t.close());

const put = (body: Record<string, unknown>) =>
  request(t.server)
    .put(`/api/companies/${c.companyId}/agent`)
    .set(bearer(c.owner))
    .send({ name: 'Sofía', language: 'es-MX', voice_path: 'conversation_relay', brain: 'knowledge', ...body });
const patch = (body: Record<string, unknown>) => request(t.server).patch(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner)).send(body);
const stored = async () =>
  (
    await t.db.pool.query('select voice, tts_provider, realtime_voice, transfer_number, fallback_number from public.agent_configs where company_id = $1', [
      c.companyId,
    ])
  ).rows[0];

describe('transfer_number and fallback_number: numbers a business line would dial', () => {
  it.each([
    ['transfer_number', '+19005551234', /premium-rate number/],
    ['fallback_number', '+34803123456', /premium-rate number/],
    ['transfer_number', '+881612345678', /satellite/],
    ['fallback_number', '+870773111632', /satellite/],
  ])('refuses %s %s with 400 and saves nothing', async (field, number, message) => {
    const before = await stored();
    const res = await put({ [field]: number });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
    expect(await stored()).toEqual(before);
  });

  it('accepts fixed-line, mobile and toll-free numbers', async () => {
    const res = await put({ transfer_number: '+525511112222', fallback_number: '+18005551234' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await stored()).toMatchObject({ transfer_number: '+525511112222', fallback_number: '+18005551234' });
  });

  it('never dials a premium number saved before the rule: the apology hangs up instead', async () => {
    const company = await createCompany(t.db);
    const number = await addPhoneNumber(t.db, company.id);
    await t.db.pool.query(`insert into public.agent_configs (company_id, language, fallback_number) values ($1, 'en-US', '+19005551234')`, [company.id]);
    await signedPost(t.server, `/voice/incoming/${company.id}`, voiceWebhook({ To: number })); // learns the fallback
    const params = voiceWebhook({ To: number });
    delete params.CallSid; // an internal failure: apologise, with the fallback when it may be dialed
    const res = await signedPost(t.server, `/voice/incoming/${company.id}`, params);
    const twiml = parseTwiml(res.text).Response;
    expect(twiml.Dial).toBeUndefined();
    expect(twiml.Hangup).toBeDefined();
  });
});

describe('voices per path', () => {
  it('refuses a voice without its provider (Twilio would read it as ElevenLabs and drop the call)', async () => {
    const res = await put({ voice: 'es-MX-Neural2-A' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'tts_provider', message: expect.stringContaining('tts_provider is required with voice') }]);
  });

  it("refuses a voice of another provider, and an OpenAI voice as the relay's", async () => {
    expect((await put({ voice: 'es-MX-Neural2-A', tts_provider: 'ElevenLabs' })).body.errors).toEqual([
      { field: 'voice', message: expect.stringContaining('is not a ElevenLabs voice name') },
    ]);
    expect((await put({ voice: 'marin', tts_provider: 'Google' })).body.errors).toEqual([
      { field: 'voice', message: expect.stringContaining('set it as realtime_voice') },
    ]);
  });

  it("refuses a realtime_voice that is not one of OpenAI's", async () => {
    const res = await put({ realtime_voice: 'es-MX-Neural2-A' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'realtime_voice', message: expect.stringContaining("realtime_voice must be one of OpenAI's voices") }]);
  });

  it('checks a PATCH as the pair it leaves: a new voice with the stored provider, a provider change against the stored voice', async () => {
    expect((await put({ voice: 'es-MX-Neural2-A', tts_provider: 'Google', realtime_voice: 'cedar' })).status).toBe(200);
    expect((await patch({ voice: 'es-US-Neural2-B' })).status).toBe(200);
    const refused = await patch({ tts_provider: 'Amazon' });
    expect(refused.status).toBe(400);
    expect(await stored()).toMatchObject({ voice: 'es-US-Neural2-B', tts_provider: 'Google', realtime_voice: 'cedar' });
  });

  it('sends voice and ttsProvider together in the ConversationRelay TwiML', async () => {
    expect((await put({ voice: 'Mia-Neural', tts_provider: 'Amazon', realtime_voice: 'cedar' })).status).toBe(200);
    const number = await addPhoneNumber(t.db, c.companyId);
    const res = await signedPost(t.server, `/voice/incoming/${c.companyId}`, voiceWebhook({ To: number }));
    const relay = (parseTwiml(res.text).Response.Connect as TwimlNode).ConversationRelay as TwimlNode;
    expect(relay['@_voice']).toBe('Mia-Neural');
    expect(relay['@_ttsProvider']).toBe('Amazon');
  });
});

describe('a multipart upload is authorised before its file is read', () => {
  it('answers a non-member 403 while the body is still being sent', async () => {
    const bundle = await t.db.pool.query<{ id: string }>(
      `insert into public.regulatory_bundles (company_id, iso_country, number_type, end_user_type, email, friendly_name, regulation_sid)
       values ($1, 'MX', 'local', 'business', 'c@example.com', 'Upload', 'RN' || repeat('0', 32)) returning id`,
      [c.companyId],
    );
    const stranger = await testUser();
    const { port } = t.server.address() as { port: number };
    const boundary = 'contract-boundary';
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        // Announce a 10 MB file, send its first bytes and then nothing: an app that reads the file first never answers.
        socket.write(
          `POST /api/bundles/${bundle.rows[0].id}/documents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${stranger.token}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
        );
      });
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
  }, 30_000);
});
