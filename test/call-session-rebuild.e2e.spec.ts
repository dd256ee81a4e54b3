import { randomUUID } from 'node:crypto';
import { createVoiceCompany, eventually, portOf } from './support/agent-session-fixtures.js';
import { addPhoneNumber, linkUserToNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { signedPost, verbs, voiceWebhook } from './support/voice-webhooks.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ listen: true });
});
afterAll(() => t.close());

/** The stream token from the <Connect> TwiML (`<Parameter name="token" value="...">`). */
function tokenOf(twiml: string): string {
  const match = /<Parameter name="token" value="([^"]+)"/.exec(twiml);
  if (!match) throw new Error(`no token in ${twiml}`);
  return match[1];
}

describe('a call answered with <Connect> whose session the database lost (a crash before the commit reached disk)', () => {
  it('is rebuilt by its stream complete: company, user and both numbers', async () => {
    const company = await createVoiceCompany(t.db);
    const number = await addPhoneNumber(t.db, company.id);
    const userId = randomUUID();
    await linkUserToNumber(t.db, number, userId, company.id);
    const webhook = voiceWebhook({ To: number, From: '+525587654321' });
    const res = await signedPost(t.server, `/voice/incoming/${company.id}`, webhook);
    expect(verbs(res.text)).toEqual(['Connect']);

    // What a crash does to a commit that had not reached disk: the session is gone, the caller is on the line.
    await t.db.pool.query('delete from public.call_sessions where call_sid = $1', [webhook.CallSid]);

    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(t.app)}/conversation-relay`);
    try {
      client.setup(webhook.CallSid, tokenOf(res.text));
      const session = await eventually(async () => {
        const { rows } = await t.db.pool.query('select company_id, user_id, from_number, to_number from public.call_sessions where call_sid = $1', [
          webhook.CallSid,
        ]);
        if (rows.length === 0) throw new Error('no session yet');
        return rows[0] as Record<string, unknown>;
      }, 15_000);
      expect(session).toEqual({ company_id: company.id, user_id: userId, from_number: '+525587654321', to_number: number });
    } finally {
      client.close();
    }
  });
});
