import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { bearer } from './support/tokens.js';

interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey: pair.privateKey as CryptoKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
}

/** Supabase's JWKS endpoint: serves the public keys currently published, or is down. */
class FakeJwks {
  published: SigningKey[] = [];
  hits = 0;
  private server?: Server;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/auth/v1/.well-known/jwks.json') {
        res.statusCode = 404;
        res.end();
        return;
      }
      this.hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.published.map((k) => k.publicJwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  get supabaseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

const now = (): number => Math.floor(Date.now() / 1000);

function sign(key: SigningKey, supabaseUrl: string, sub = randomUUID()): Promise<string> {
  return new SignJWT({ sub, aud: 'authenticated', iss: `${supabaseUrl}/auth/v1`, role: 'authenticated', iat: now(), exp: now() + 600 })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/** Retries until the expected status: the verifier waits a (short, in tests) cooldown between refetches. */
async function statusWithin(t: TestApp, token: string, expected: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await request(t.server).get('/api/debug/auth-test').set(bearer(token))).status;
    if (status === expected) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return status;
}

describe('Supabase signing keys: JWKS rotation without a restart', () => {
  const jwks = new FakeJwks();
  let t: TestApp;
  let es: SigningKey;
  let rs: SigningKey;

  beforeAll(async () => {
    [es, rs] = await Promise.all([signingKey('ES256', 'es-key-1'), signingKey('RS256', 'rs-key-2')]);
    await jwks.start();
    jwks.published = [es];
    t = await createTestApp({ config: testConfig({ auth: { supabaseUrl: jwks.supabaseUrl, jwtSecret: undefined, jwksCooldownMs: 300 } }) });
  });
  afterAll(async () => {
    await t.close();
    await jwks.stop();
  });

  it('accepts the current ES256 key, then a new RS256 key published later, and refuses an unknown kid', async () => {
    expect(
      (
        await request(t.server)
          .get('/api/debug/auth-test')
          .set(bearer(await sign(es, jwks.supabaseUrl)))
      ).status,
    ).toBe(200);
    const hitsBefore = jwks.hits;

    // A token signed with a key that is not yet published is refused...
    const early = await sign(rs, jwks.supabaseUrl);
    expect((await request(t.server).get('/api/debug/auth-test').set(bearer(early))).status).toBe(401);

    // ...and once the project publishes it (rotation), the same running app accepts it, without a restart.
    jwks.published = [es, rs];
    const sub = randomUUID();
    const rotated = await sign(rs, jwks.supabaseUrl, sub);
    expect(await statusWithin(t, rotated, 200)).toBe(200);
    const res = await request(t.server).get('/api/debug/auth-test').set(bearer(rotated));
    expect(res.body.user_id).toBe(sub);
    expect(jwks.hits).toBeGreaterThan(hitsBefore);

    // The old key still verifies while it stays published.
    expect(
      (
        await request(t.server)
          .get('/api/debug/auth-test')
          .set(bearer(await sign(es, jwks.supabaseUrl)))
      ).status,
    ).toBe(200);

    // A kid the project never published is refused, and the app keeps accepting the published ones.
    const stranger = await signingKey('ES256', 'never-published');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(
      (
        await request(t.server)
          .get('/api/debug/auth-test')
          .set(bearer(await sign(stranger, jwks.supabaseUrl)))
      ).status,
    ).toBe(401);
    expect((await request(t.server).get('/api/debug/auth-test').set(bearer(rotated))).status).toBe(200);
  });

  it('refuses a token whose kid is published for another algorithm (no algorithm confusion across keys)', async () => {
    // An ES256 signature presented under the RS256 key's kid.
    const forged = await new SignJWT({
      sub: randomUUID(),
      aud: 'authenticated',
      iss: `${jwks.supabaseUrl}/auth/v1`,
      role: 'authenticated',
      iat: now(),
      exp: now() + 600,
    })
      .setProtectedHeader({ alg: 'ES256', kid: rs.kid })
      .sign(es.privateKey);
    expect((await request(t.server).get('/api/debug/auth-test').set(bearer(forged))).status).toBe(401);
  });
});

describe('Supabase signing keys: JWKS unreachable at start-up', () => {
  const jwks = new FakeJwks();
  let t: TestApp;
  let es: SigningKey;

  beforeAll(async () => {
    es = await signingKey('ES256', 'es-late');
    // Take a free port, then close it: the JWKS is unreachable (connection refused) while the app starts.
    await jwks.start();
    const port = jwks.port;
    await jwks.stop();
    jwks.port = port;
    t = await createTestApp({ config: testConfig({ auth: { supabaseUrl: jwks.supabaseUrl, jwtSecret: undefined, jwksCooldownMs: 300 } }) });
  });
  afterAll(async () => {
    await t.close();
    await jwks.stop();
  });

  it('starts, refuses tokens with 401 while the keys cannot be fetched, and accepts them once the JWKS is reachable', async () => {
    const token = await sign(es, jwks.supabaseUrl);
    expect((await request(t.server).get('/health')).status).toBe(200);
    const refused = await request(t.server).get('/api/debug/auth-test').set(bearer(token));
    expect(refused.status).toBe(401);
    expect(jwks.hits).toBe(0);

    await jwks.start(jwks.port);
    jwks.published = [es];
    expect(await statusWithin(t, token, 200)).toBe(200);
    expect(jwks.hits).toBeGreaterThan(0);
  });
});
