import { PgDatabase } from '../src/database/pg-database.js';
import { BundleMonitor } from '../src/provisioning/bundle-monitor.js';
import { BundleSyncService } from '../src/provisioning/bundle-sync.service.js';
import { ProvisioningRepository } from '../src/provisioning/provisioning.repository.js';
import { TwilioProvisioningClient } from '../src/provisioning/twilio-provisioning.client.js';
import { createTwilioRestClient } from '../src/twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../src/twilio/twilio.tokens.js';
import { addSubmittedBundle, createCompany } from './support/factories.js';
import { Fault, FakeTwilioProvisioning } from './support/fake-twilio-provisioning.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { openIsolatedTestDatabase } from './support/test-database.js';

const RUNS = 100;
const BUNDLES_PER_RUN = 2;
const CLIENT_TIMEOUT_MS = 80;

/** A seeded generator, so a failing run can be replayed with its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

class SimulatedCrash extends Error {}

/** A one-way door a test opens once and others wait for. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('exactly one number per approved bundle (two workers at once on a real PostgreSQL)', () => {
  let fake: FakeTwilioProvisioning;
  let t: TestApp;
  let db: PgDatabase;

  beforeAll(async () => {
    // A database of its own: the monitor claims every due bundle, and other test files' bundles belong to other fakes.
    db = await openIsolatedTestDatabase(6);

    fake = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
    const config = testConfig({ twilio: fake.baseUrls(), provisioning: { leaseSeconds: 30 } });
    t = await createTestApp({
      config,
      db,
      // short timeouts, so that a hanging Twilio costs milliseconds
      override: (b) => b.overrideProvider(TWILIO_REST_CLIENT).useValue(createTwilioRestClient(config, CLIENT_TIMEOUT_MS)),
    });
  });

  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    await db?.close();
  });

  it(`buys exactly one number per bundle over ${RUNS} randomised runs with faults at every step and two workers at once`, { timeout: 240_000 }, async () => {
    const seed = Number(process.env.EXACTLY_ONCE_SEED ?? Date.now() % 1_000_000);
    const random = rng(seed);
    const repository = t.app.get(ProvisioningRepository);
    const monitor = t.app.get(BundleMonitor);
    const sync = t.app.get(BundleSyncService);
    const company = await createCompany(db);
    fake.stock('MX', 'local', RUNS * BUNDLES_PER_RUN * 2);
    const stats = { twilioFaults: 0, crashes: 0, rounds: 0, buyRetried: 0 };

    // Twilio: 500s and timeouts, before or after the change is made, on every request of the flow.
    fake.faultInjector = () => {
      if (random() >= 0.15) return undefined;
      stats.twilioFaults += 1;
      const afterCommit = random() < 0.5;
      const fault: Fault = random() < 0.5 ? { status: 500, afterCommit } : { hangMs: CLIENT_TIMEOUT_MS + 40, afterCommit };
      return fault;
    };
    // Our process: crashes between buying and recording, and while applying the status. A crashed worker
    // releases nothing; its lease expires (fast-forwarded below between rounds).
    const crashed = new Set<string>();
    const realRecord = repository.recordPurchase.bind(repository);
    const realApply = repository.applyStatus.bind(repository);
    const realRelease = repository.releaseLease.bind(repository);
    const realRecordFailure = repository.recordPurchaseFailure.bind(repository);
    vi.spyOn(repository, 'recordPurchase').mockImplementation(async (id, n) => {
      if (random() < 0.15) {
        stats.crashes += 1;
        crashed.add(id);
        throw new SimulatedCrash('crashed after buying, before recording');
      }
      return realRecord(id, n);
    });
    vi.spyOn(repository, 'applyStatus').mockImplementation(async (id, ...rest) => {
      if (random() < 0.1) {
        stats.crashes += 1;
        crashed.add(id);
        throw new SimulatedCrash('crashed while applying the status');
      }
      return realApply(id, ...rest);
    });
    vi.spyOn(repository, 'recordPurchaseFailure').mockImplementation(async (id, ...rest) => {
      if (crashed.has(id)) throw new SimulatedCrash('a crashed worker records nothing');
      return realRecordFailure(id, ...rest);
    });
    vi.spyOn(repository, 'releaseLease').mockImplementation(async (id, ...rest) => {
      if (crashed.delete(id)) return false;
      return realRelease(id, ...rest);
    });

    const bundleIds: string[] = [];
    const started = Date.now();
    for (let run = 0; run < RUNS; run += 1) {
      const ids: string[] = [];
      for (let i = 0; i < BUNDLES_PER_RUN; i += 1) {
        const id = await addSubmittedBundle(db, company.id, fake.seedBundle('twilio-approved'), random() < 0.5 ? 'in-review' : 'pending-review');
        ids.push(id);
        bundleIds.push(id);
      }
      for (let round = 0; round < 60; round += 1) {
        stats.rounds += 1;
        // two workers at once: two polls, or a poll and a status callback for one of the bundles
        const second = random() < 0.5 ? monitor.runOnce() : sync.syncOne(ids[Math.floor(random() * ids.length)], 'callback').catch(() => null);
        await Promise.all([monitor.runOnce(), second]);
        // time passes: leases of crashed workers expire (no worker is running now)
        await db.pool.query(
          "update public.regulatory_bundles set lease_expires_at = now() - interval '1 second' where id = any($1) and lease_owner is not null",
          [ids],
        );
        crashed.clear();
        const { rows } = await db.pool.query('select purchase_state from public.regulatory_bundles where id = any($1)', [ids]);
        if (rows.every((r) => r.purchase_state === 'purchased')) break;
      }
    }
    fake.clearFaults();
    vi.restoreAllMocks();

    const { rows } = await db.pool.query(
      `select b.id, b.twilio_bundle_sid, b.purchase_state, b.phone_number, b.phone_number_sid,
              (select count(*) from public.phone_numbers pn where pn.bundle_id = b.id)::int as recorded
         from public.regulatory_bundles b where b.id = any($1)`,
      [bundleIds],
    );
    const problems: string[] = [];
    for (const b of rows) {
      const bought = fake.numbersForBundle(b.twilio_bundle_sid);
      if (bought.length !== 1) problems.push(`${b.id}: ${bought.length} numbers bought (state ${b.purchase_state})`);
      else if (b.purchase_state !== 'purchased' || b.phone_number_sid !== bought[0].sid || b.recorded !== 1) {
        problems.push(`${b.id}: state ${b.purchase_state}, recorded ${b.recorded}, sid ${b.phone_number_sid} vs ${bought[0].sid}`);
      }
      stats.buyRetried += Number(
        bought.length === 1 && fake.sent('api', /\/IncomingPhoneNumbers\.json$/, 'POST').filter((r) => r.params.BundleSid === b.twilio_bundle_sid).length > 1,
      );
    }
    console.log(JSON.stringify({ seed, runs: RUNS, bundles: rows.length, ms: Date.now() - started, ...stats }));
    expect(rows).toHaveLength(RUNS * BUNDLES_PER_RUN);
    expect(problems, `seed ${seed}`).toEqual([]);
    // the faults really hit: purchases were retried and found again, and crashes happened
    expect(stats.twilioFaults).toBeGreaterThan(20);
    expect(stats.crashes).toBeGreaterThan(10);
  });

  it('a worker whose lease ran out mid-purchase buys nothing while the worker that took the bundle over is buying', { timeout: 60_000 }, async () => {
    const repository = t.app.get(ProvisioningRepository);
    const sync = t.app.get(BundleSyncService);
    const company = await createCompany(db);
    fake.stock('MX', 'local', 5);
    // every search answers in another order, as Twilio's do: the two workers would choose different numbers
    fake.searchOrder = 'rotating';
    const seeded = fake.seedBundle('twilio-approved');
    const id = await addSubmittedBundle(db, company.id, seeded);

    // The first worker stops between its number search and recording its choice (a stalled process), long enough
    // for its lease to run out; a status callback's worker claims the bundle, chooses another number and is about
    // to buy it when the first worker wakes up.
    const first = { paused: gate(), resume: gate() };
    const second = { paused: gate(), resume: gate() };
    const choose = repository.choosePurchaseCandidate.bind(repository);
    vi.spyOn(repository, 'choosePurchaseCandidate').mockImplementationOnce(async (...args) => {
      first.paused.open();
      await first.resume.opened;
      return choose(...args);
    });
    const twilio = t.app.get(TwilioProvisioningClient);
    const buy = twilio.buyNumber.bind(twilio);
    vi.spyOn(twilio, 'buyNumber').mockImplementationOnce(async (...args) => {
      second.paused.open();
      await second.resume.opened;
      return buy(...args);
    });
    try {
      const firstWorker = sync.syncOne(id, 'poll');
      await first.paused.opened;
      await db.pool.query("update public.regulatory_bundles set lease_expires_at = now() - interval '1 second' where id = $1", [id]);
      const secondWorker = sync.syncOne(id, 'callback');
      await second.paused.opened;
      first.resume.open();
      await firstWorker;
      second.resume.open();
      expect((await secondWorker)?.purchase_state).toBe('purchased');
    } finally {
      vi.restoreAllMocks();
      fake.searchOrder = 'stocked';
    }

    const bought = fake.numbersForBundle(seeded.bundleSid);
    expect(bought).toHaveLength(1);
    const { rows } = await db.pool.query(
      `select b.purchase_state, b.phone_number_sid, (select count(*) from public.phone_numbers pn where pn.bundle_id = b.id)::int as recorded
         from public.regulatory_bundles b where b.id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ purchase_state: 'purchased', phone_number_sid: bought[0].sid, recorded: 1 });
  });
});
