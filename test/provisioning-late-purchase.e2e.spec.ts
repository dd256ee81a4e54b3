import { BundleMonitor } from '../src/provisioning/bundle-monitor.js';
import { createTwilioRestClient } from '../src/twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../src/twilio/twilio.tokens.js';
import { addSubmittedBundle, createCompany } from './support/factories.js';
import { FakeTwilioProvisioning } from './support/fake-twilio-provisioning.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';

/** Our client gives up on a request after this long; Twilio completes the purchase later. */
const CLIENT_TIMEOUT_MS = 400;
const BUY = { host: 'api', method: 'POST', path: /\/IncomingPhoneNumbers\.json$/ } as const;

let fake: FakeTwilioProvisioning;
let t: TestApp;
let companyId: string;

beforeAll(async () => {
  fake = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
  const config = testConfig({ twilio: fake.baseUrls() });
  t = await createTestApp({
    config,
    override: (b) => b.overrideProvider(TWILIO_REST_CLIENT).useValue(createTwilioRestClient(config, CLIENT_TIMEOUT_MS)),
  });
  companyId = (await createCompany(t.db)).id;
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
afterEach(async () => {
  await fake.settled();
  fake.clearFaults();
  fake.searchOrder = 'stocked';
});

/** An approved bundle (as if submitted through the API and approved by Twilio's review). */
async function approvedBundle(): Promise<{ id: string; sid: string }> {
  const seeded = fake.seedBundle('twilio-approved');
  const id = await addSubmittedBundle(t.db, companyId, seeded);
  return { id, sid: seeded.bundleSid };
}

const bundleRow = async (id: string) =>
  (await t.db.pool.query('select purchase_state, phone_number, phone_number_sid, purchase_candidate from public.regulatory_bundles where id = $1', [id]))
    .rows[0];

describe('exactly one number per bundle when Twilio completes a purchase after our timeout', () => {
  it('a retry before the late completion buys the number it chose, not another one from a different search', async () => {
    const monitor = t.app.get(BundleMonitor);
    const bundle = await approvedBundle();
    // search results differ between attempts, and the first purchase completes after the client gave up
    fake.searchOrder = 'rotating';
    fake.failNext({ ...BUY, fault: { lateMs: 2_000 } });
    await monitor.runOnce();
    expect((await bundleRow(bundle.id)).purchase_state).toBe('purchasing');
    const firstChoice = fake.sent('api', BUY.path, 'POST')[0].params.PhoneNumber;

    await monitor.runOnce(); // the retry, while Twilio is still completing the first purchase
    await fake.settled();

    const bought = fake.numbersForBundle(bundle.sid);
    expect(bought.map((n) => n.phone_number)).toEqual([firstChoice]);
    const row = await bundleRow(bundle.id);
    expect(row).toMatchObject({ purchase_state: 'purchased', phone_number: firstChoice, phone_number_sid: bought[0].sid });
  });

  it('a retry after the late completion finds that exact number in the account and adopts it, buying nothing', async () => {
    const monitor = t.app.get(BundleMonitor);
    const bundle = await approvedBundle();
    fake.searchOrder = 'rotating';
    fake.failNext({ ...BUY, fault: { lateMs: 900 } });
    await monitor.runOnce();
    await fake.settled();
    const bought = fake.numbersForBundle(bundle.sid);
    expect(bought).toHaveLength(1);
    // an account where the FriendlyName was changed since (by a person in the console): only the exact number identifies it
    bought[0].friendly_name = 'renamed in the console';
    const buysBefore = fake.sent('api', BUY.path, 'POST').length;

    await monitor.runOnce();

    expect(fake.sent('api', BUY.path, 'POST')).toHaveLength(buysBefore);
    expect(fake.numbersForBundle(bundle.sid)).toHaveLength(1);
    expect(await bundleRow(bundle.id)).toMatchObject({ purchase_state: 'purchased', phone_number: bought[0].phone_number, phone_number_sid: bought[0].sid });
  });

  it('records the chosen number before the purchase request goes out', async () => {
    const monitor = t.app.get(BundleMonitor);
    const bundle = await approvedBundle();
    fake.failNext({ ...BUY, fault: { status: 503 } });
    await monitor.runOnce();
    const tried = fake.sent('api', BUY.path, 'POST').at(-1)!.params.PhoneNumber;
    expect((await bundleRow(bundle.id)).purchase_candidate).toBe(tried);
  });
});
