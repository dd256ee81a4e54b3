// Purchase rounds: two API instances (two Nest apps in this process, each with its own connection pool) on one fresh
// PostgreSQL database, against one fake Twilio that completes purchases after the client gave up, shuffles search
// results, answers 500 and hangs. Each round approves one bundle and lets both instances race (polls and status
// callbacks) until it is purchased; the round passes when Twilio holds exactly one number for the bundle and the
// database recorded that one.
import type { ChaosOptions, ChaosResult } from '../chaos.js';
import { BundleMonitor } from '../../src/provisioning/bundle-monitor.js';
import { createTwilioRestClient } from '../../src/twilio/twilio-rest-client.js';
import { signTwilioRequest } from '../../src/twilio/twilio-request-validator.js';
import { TWILIO_REST_CLIENT } from '../../src/twilio/twilio.tokens.js';
import { addSubmittedBundle, createCompany } from '../../test/support/factories.js';
import { Fault, FakeTwilioProvisioning } from '../../test/support/fake-twilio-provisioning.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from '../../test/support/test-config.js';
import { ChaosApp, chaosSeed, freshDatabase, rng, sleep, startInstance } from './support.js';

const DEFAULT_ROUNDS = 30;
/** The instances give up on a Twilio request after this long; late completions land after it. */
const CLIENT_TIMEOUT_MS = 150;
const MAX_TICKS = 40;

export default async function run(options: { rounds?: number }): Promise<ChaosResult> {
  return purchaseRounds(options);
}

async function purchaseRounds({ rounds = DEFAULT_ROUNDS }: ChaosOptions): Promise<ChaosResult> {
  const seed = chaosSeed();
  const random = rng(seed);
  const details: string[] = [];
  const stats = { late: 0, errors: 0, hangs: 0, callbacks: 0, ticks: 0, retriedBuys: 0 };
  const fake = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
  fake.searchOrder = 'shuffled';
  fake.stock('MX', 'local', rounds * 8);
  const database = await freshDatabase('chaos_purchase');
  const instances: ChaosApp[] = [];
  let passed = 0;
  let failed = 0;
  try {
    const config = testConfig({ twilio: fake.baseUrls(), provisioning: { leaseSeconds: 30 } });
    for (let i = 0; i < 2; i++) {
      instances.push(
        await startInstance(config, database.url, (b) => b.overrideProvider(TWILIO_REST_CLIENT).useValue(createTwilioRestClient(config, CLIENT_TIMEOUT_MS))),
      );
    }
    const db = instances[0].db;
    const company = await createCompany(db);

    // Purchases complete late a third of the time; any request may fail or hang.
    fake.faultInjector = (req) => {
      if (req.method === 'POST' && /\/IncomingPhoneNumbers\.json$/.test(req.path) && random() < 0.35) {
        stats.late += 1;
        return { lateMs: CLIENT_TIMEOUT_MS + Math.floor(random() * 900) };
      }
      const roll = random();
      if (roll < 0.06) return (stats.errors++, { status: 500, afterCommit: random() < 0.5 }) as Fault;
      if (roll < 0.1) return (stats.hangs++, { hangMs: CLIENT_TIMEOUT_MS + 50, afterCommit: random() < 0.5 }) as Fault;
      return undefined;
    };

    for (let round = 1; round <= rounds; round++) {
      const seeded = fake.seedBundle('twilio-approved');
      const bundleId = await addSubmittedBundle(db, company.id, seeded);
      let state = 'none';
      for (let tick = 0; tick < MAX_TICKS && state !== 'purchased' && state !== 'failed'; tick++) {
        stats.ticks += 1;
        // Both instances at once: each polls, or takes Twilio's status callback for the bundle.
        await Promise.all(
          instances.map((instance) => {
            if (random() < 0.3) {
              stats.callbacks += 1;
              return statusCallback(instance, seeded.bundleSid);
            }
            return instance.app.get(BundleMonitor).runOnce();
          }),
        );
        await sleep(Math.floor(random() * 250)); // time passes: some late purchases land before the next try, some after
        state = (await db.pool.query('select purchase_state from public.regulatory_bundles where id = $1', [bundleId])).rows[0].purchase_state;
      }
      // Background work from callbacks, and purchases Twilio still completes late, settle before counting.
      await waitForIdle(db, bundleId);
      await fake.settled();
      const bought = fake.numbersForBundle(seeded.bundleSid);
      const row = (await db.pool.query('select purchase_state, phone_number_sid from public.regulatory_bundles where id = $1', [bundleId])).rows[0];
      const buys = fake.sent('api', /\/IncomingPhoneNumbers\.json$/, 'POST').filter((r) => r.params.BundleSid === seeded.bundleSid).length;
      if (buys > 1) stats.retriedBuys += 1;
      if (bought.length === 1 && row.purchase_state === 'purchased' && row.phone_number_sid === bought[0].sid) {
        passed += 1;
      } else {
        failed += 1;
        details.push(
          `round ${round}: Twilio holds ${bought.length} numbers for the bundle; state ${row.purchase_state}, recorded ${row.phone_number_sid ?? 'none'}`,
        );
      }
    }
  } finally {
    fake.clearFaults();
    await fake.settled();
    for (const instance of instances) await instance.close().catch(() => undefined);
    await fake.stop();
    await database.drop();
  }
  details.unshift(
    `two instances (two Nest apps in one process) on one PostgreSQL database; seed ${seed} (CHAOS_SEED to replay)`,
    `faults: ${stats.late} late purchase completions, ${stats.errors} HTTP 500s, ${stats.hangs} hangs; ${stats.callbacks} status callbacks, ${stats.ticks} ticks; ${stats.retriedBuys} bundles needed more than one purchase request`,
  );
  return { name: 'purchase', rounds, passed, failed, details };
}

/** Twilio's bundle status callback to one instance, signed as Twilio signs it. */
async function statusCallback(instance: ChaosApp, bundleSid: string): Promise<void> {
  const params = { AccountSid: TEST_TWILIO_ACCOUNT_SID, BundleSid: bundleSid, Status: 'twilio-approved' };
  const signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}/provisioning/bundles/status`, params);
  await fetch(`${instance.url}/provisioning/bundles/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  }).catch(() => undefined);
}

/** Until no instance holds the bundle's lease (work handed to the background has finished), bounded. */
async function waitForIdle(db: ChaosApp['db'], bundleId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await db.pool.query('select lease_expires_at > now() as held from public.regulatory_bundles where id = $1', [bundleId]);
    if (!rows[0].held) return;
    await sleep(50);
  }
}
