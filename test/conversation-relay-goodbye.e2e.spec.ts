import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, openCallSession, portOf } from './support/agent-session-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { Frame, TwilioWsClient } from './support/twilio-ws-client.js';

let t: TestApp;
let url: string;

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  url = `ws://127.0.0.1:${portOf(t.app)}/conversation-relay`;
});
afterAll(() => t.close());

const spokenBefore = (frames: Frame[], end: Frame): string =>
  frames
    .slice(0, frames.indexOf(end))
    .filter((f) => f.type === 'text')
    .map((f) => String(f.token))
    .join('');

describe('WS /conversation-relay: the last words are heard before `end`', () => {
  it('waits for the tokensPlayed receipt of what the agent said before handing off', async () => {
    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const client = await TwilioWsClient.connect(url);
    client.playsTokens = false;
    client.setup(callSid, t.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay'));

    client.prompt('Quiero hablar con una persona, por favor');
    await client.waitFor((f) => f.type === 'text' && f.last === true);
    const said = client.received
      .filter((f) => f.type === 'text')
      .map((f) => String(f.token))
      .join('');
    expect(said.length).toBeGreaterThan(0);

    // Twilio is still speaking: no `end` yet
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(client.received.some((f) => f.type === 'end')).toBe(false);

    // Twilio reports the words as played (debug="tokens-played"), in pieces
    const half = Math.floor(said.length / 2);
    client.send({ type: 'info', name: 'tokensPlayed', value: said.slice(0, half) });
    client.send({ type: 'info', name: 'tokensPlayed', value: said.slice(half) });
    const started = Date.now();
    const end = await client.waitFor((f) => f.type === 'end', 2_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(JSON.parse(String(end.handoffData))).toMatchObject({ reasonCode: 'live-agent-handoff' });
    expect(spokenBefore(client.received, end)).toBe(said);
    client.close();
  });

  it('sends `end` anyway when no receipt comes, after about the time the words take to say', async () => {
    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const client = await TwilioWsClient.connect(url);
    client.playsTokens = false;
    client.setup(callSid, t.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay'));
    client.prompt('Quiero hablar con una persona, por favor');
    await client.waitFor((f) => f.type === 'text' && f.last === true);
    const end = await client.waitFor((f) => f.type === 'end', 10_000);
    expect(end.handoffData).toBeTruthy();
    client.close();
  });
});
