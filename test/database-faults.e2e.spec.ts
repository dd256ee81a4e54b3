import request from 'supertest';
import { prepare } from '../src/database/database.factory.js';
import { openPostgresDatabase } from '../src/database/embedded-postgres.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { companyWithRoles } from './support/company-roles.js';
import { DisposablePostgres } from './support/disposable-postgres.js';
import { addPhoneNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';
import { signedPost, verbs, voiceWebhook } from './support/voice-webhooks.js';

/** DESIGN §9 "Under faults": a database that stops answering (a partition, SIGSTOP) bounds every path. */
describe('a hung database (SIGSTOP of a PostgreSQL the test owns)', () => {
  let pg: DisposablePostgres;
  let db: PgDatabase;
  let t: TestApp;

  beforeAll(async () => {
    pg = await DisposablePostgres.start();
    db = openPostgresDatabase(pg.url);
    await prepare(db, { demoSeed: false });
    t = await createTestApp({ db });
  }, 120_000);

  afterAll(async () => {
    pg?.thaw();
    await t?.close();
    await db?.close();
    await pg?.stop();
  }, 60_000);

  it('answers the caller with the apology within 3 s, /api with 503 within 5 s and /health with 503', async () => {
    const roles = await companyWithRoles(t);
    const number = await addPhoneNumber(t.db, roles.companyId);
    // Open several pooled connections first, so that some requests below run on a connection that is already open.
    const warm = await Promise.all(Array.from({ length: 5 }, () => signedPost(t.server, `/voice/incoming/${roles.companyId}`, voiceWebhook({ To: number }))));
    expect(warm.map((r) => verbs(r.text))).toEqual(Array.from({ length: 5 }, () => ['Connect']));
    expect(db.pool.totalCount).toBeGreaterThan(1);

    pg.freeze();
    const timed = async <T>(work: () => PromiseLike<T>): Promise<{ ms: number; value: T }> => {
      const started = performance.now();
      const value = await work();
      return { ms: performance.now() - started, value };
    };
    const [calls, api, health] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => timed(() => signedPost(t.server, `/voice/incoming/${roles.companyId}`, voiceWebhook({ To: number }))))),
      timed(() => request(t.server).get(`/api/companies/${roles.companyId}/agent`).set(bearer(roles.owner))),
      timed(() => request(t.server).get('/health')),
    ]);
    for (const call of calls) {
      expect(call.value.status).toBe(200);
      expect(verbs(call.value.text)).not.toContain('Connect');
      expect(call.ms).toBeLessThan(3_000);
    }
    expect(api.value.status).toBe(503);
    expect(api.ms).toBeLessThan(5_000);
    expect(health.value.status).toBe(503);
    expect(health.ms).toBeLessThan(5_000);

    // Thawed, the same pool serves again.
    pg.thaw();
    await expect
      .poll(async () => verbs((await signedPost(t.server, `/voice/incoming/${roles.companyId}`, voiceWebhook({ To: number }))).text), {
        timeout: 30_000,
        interval: 200,
      })
      .toEqual(['Connect']);
  }, 60_000);
});
