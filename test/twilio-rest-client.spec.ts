import twilio from 'twilio';
import { createTwilioRestClient, twilioBaseUrl } from '../src/twilio/twilio-rest-client.js';
import { FakeTwilioRest, twilioSid } from './support/fake-twilio-rest.js';
import { TEST_TWILIO_ACCOUNT_SID as SID, TEST_TWILIO_AUTH_TOKEN as TOKEN, testConfig } from './support/test-config.js';

let api: FakeTwilioRest;
let numbers: FakeTwilioRest;

beforeAll(async () => {
  api = await FakeTwilioRest.start({ accountSid: SID, authToken: TOKEN });
  numbers = await FakeTwilioRest.start({ accountSid: SID, authToken: TOKEN });
  // A route another test (provisioning) would add: the table is open for extension.
  numbers.route('GET', '/v2/RegulatoryCompliance/Bundles/:Sid', ({ params }) => ({
    status: 200,
    body: {
      sid: params.Sid,
      account_sid: SID,
      status: 'in-review',
      friendly_name: 'b',
      email: 'a@b.c',
      url: `https://numbers.twilio.com/v2/RegulatoryCompliance/Bundles/${params.Sid}`,
    },
  }));
});
afterAll(async () => {
  await api.close();
  await numbers.close();
});

const client = (overrides: Parameters<typeof testConfig>[0] = {}) =>
  createTwilioRestClient(testConfig({ twilio: { apiBaseUrl: api.url, numbersBaseUrl: numbers.url, ...overrides.twilio } }));

describe('the Twilio REST client with replaced hosts', () => {
  it('sends api.twilio.com requests to TWILIO_API_BASE_URL with basic auth, and reads the resource', async () => {
    const call = api.putCall({ duration: '61', price: '-0.01700' });
    const fetched = await client().api.v2010.accounts(SID).calls(call.sid).fetch();
    expect(fetched).toMatchObject({ sid: call.sid, price: '-0.01700', priceUnit: 'USD', duration: '61', status: 'completed' });
    const [req] = api.requestsTo('GET', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json').slice(-1);
    expect(req).toMatchObject({
      host: new URL(api.url).host,
      path: `/2010-04-01/Accounts/${SID}/Calls/${call.sid}.json`,
      auth: { username: SID, password: TOKEN },
    });
    expect(numbers.requests).toHaveLength(0);
  });

  it('sends form-encoded parameters exactly as the SDK names them', async () => {
    const call = api.putCall({ status: 'in-progress' });
    const twiml = '<Response><Say>Adiós</Say><Hangup/></Response>';
    await client().api.v2010.accounts(SID).calls(call.sid).update({ twiml, status: 'completed' });
    const [req] = api.requestsTo('POST', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json').slice(-1);
    expect(req.contentType).toContain('application/x-www-form-urlencoded');
    expect(req.form).toEqual({ Twiml: twiml, Status: 'completed' });
    expect(api.calls.get(call.sid)!.status).toBe('completed');
  });

  it('sends numbers.twilio.com requests to TWILIO_NUMBERS_BASE_URL', async () => {
    const sid = twilioSid('BU');
    const bundle = await client().numbers.v2.regulatoryCompliance.bundles(sid).fetch();
    expect(bundle).toMatchObject({ sid, status: 'in-review' });
    expect(numbers.requestsTo('GET', '/v2/RegulatoryCompliance/Bundles/:Sid')).toEqual([expect.objectContaining({ host: new URL(numbers.url).host })]);
  });

  it('keeps a path prefix of the base URL', async () => {
    const prefixed = api.route('GET', '/twilio-api/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json', ({ params }) => ({
      status: 200,
      body: api.putCall({ sid: params.Sid }),
    }));
    const sid = twilioSid('CA');
    await createTwilioRestClient(testConfig({ twilio: { apiBaseUrl: `${prefixed.url}/twilio-api` } }))
      .api.v2010.accounts(SID)
      .calls(sid)
      .fetch();
    expect(api.requests.at(-1)!.path).toBe(`/twilio-api/2010-04-01/Accounts/${SID}/Calls/${sid}.json`);
  });

  it("surfaces Twilio's errors as RestException with status and code", async () => {
    await expect(client().api.v2010.accounts(SID).calls(twilioSid('CA')).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    const wrong = createTwilioRestClient(testConfig({ twilio: { apiBaseUrl: api.url, authToken: 'wrong-token-0123456789' } }));
    const error = await wrong.api.v2010
      .accounts(SID)
      .calls(twilioSid('CA'))
      .fetch()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 401, code: 20003 });
    api.failNext('GET', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json', 1);
    const call = api.putCall();
    await expect(client().api.v2010.accounts(SID).calls(call.sid).fetch()).rejects.toMatchObject({ status: 500 });
    await expect(client().api.v2010.accounts(SID).calls(call.sid).fetch()).resolves.toMatchObject({ sid: call.sid });
  });

  it("uses Twilio's hosts when nothing is configured", () => {
    const config = testConfig();
    expect(twilioBaseUrl(config, 'api')).toBe('https://api.twilio.com');
    expect(twilioBaseUrl(config, 'numbers')).toBe('https://numbers.twilio.com');
    expect(twilioBaseUrl(testConfig({ twilio: { numbersUploadBaseUrl: numbers.url } }), 'numbersUpload')).toBe(numbers.url);
  });
});
