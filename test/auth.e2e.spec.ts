import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Controller, Get, Param } from '@nestjs/common';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { CompanyAccess } from '../src/auth/auth.decorators.js';
import { addMember, createCompany } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig, TEST_JWT_SECRET, TEST_SUPABASE_URL } from './support/test-config.js';
import { bearer, testUser, type TestUser } from './support/tokens.js';

const ISSUER = `${TEST_SUPABASE_URL}/auth/v1`;
const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const now = (): number => Math.floor(Date.now() / 1000);

function userClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: randomUUID(), aud: 'authenticated', iss: ISSUER, role: 'authenticated', iat: now(), exp: now() + 600, ...overrides };
}

function hs256(claims: Record<string, unknown>, key: Uint8Array = secret): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('the access-token guard (HS256 legacy secret)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const get = (token?: string) => {
    const r = request(t.server).get('/api/debug/auth-test');
    return token === undefined ? r : r.set('Authorization', `Bearer ${token}`);
  };

  it('accepts a valid user token', async () => {
    const res = await get(await hs256(userClaims()));
    expect(res.status).toBe(200);
  });

  const rejected: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', async () => undefined],
    ['a malformed token', async () => 'not.a.jwt'],
    ['alg: none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(userClaims())}.`],
    ['a wrong secret', async () => hs256(userClaims(), new TextEncoder().encode('another-secret-another-secret-another-secret'))],
    ['an expired token', async () => hs256(userClaims({ iat: now() - 7200, exp: now() - 3600 }))],
    ['a wrong audience', async () => hs256(userClaims({ aud: 'anon' }))],
    ['a wrong issuer', async () => hs256(userClaims({ iss: 'https://evil.example/auth/v1' }))],
    ['no subject', async () => hs256(userClaims({ sub: undefined }))],
    ['an anon key (legacy shape)', async () => hs256({ iss: 'supabase', ref: 'project', role: 'anon', iat: now(), exp: now() + 600 })],
    ['a service-role key (legacy shape)', async () => hs256({ iss: 'supabase', ref: 'project', role: 'service_role', iat: now(), exp: now() + 600 })],
    ['a service_role role with user claims', async () => hs256(userClaims({ role: 'service_role' }))],
    ['an anon role with user claims', async () => hs256(userClaims({ role: 'anon' }))],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await hs256(userClaims())).split('.');
        return `${h}.${b64(userClaims({ app_metadata: { role: 'admin' } }))}.${s}`;
      },
    ],
  ];

  it.each(rejected)('rejects %s with 401', async (_name, make) => {
    const res = await get(await make());
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(typeof res.body.message).toBe('string');
  });

  it('rejects a scheme other than Bearer', async () => {
    const res = await request(t.server)
      .get('/api/debug/auth-test')
      .set('Authorization', `Basic ${await hs256(userClaims())}`);
    expect(res.status).toBe(401);
  });

  it('rejects an RS/ES token when no JWKS is reachable, without hanging', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(userClaims()).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const res = await get(token);
    expect(res.status).toBe(401);
  });
});

describe('the access-token guard (asymmetric keys through the project JWKS)', () => {
  let jwksServer: Server;
  let jwksHits = 0;
  let t: TestApp;
  let privateKey: CryptoKey;
  let supabaseUrl: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey as CryptoKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    jwksServer = createServer((req, res) => {
      if (req.url === '/auth/v1/.well-known/jwks.json') {
        jwksHits++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    supabaseUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    // No HS256 secret: only asymmetric tokens are accepted.
    t = await createTestApp({ config: testConfig({ auth: { supabaseUrl, jwtSecret: undefined } }) });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const es256 = (claims: Record<string, unknown>, kid = 'key-1'): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);

  it('accepts an ES256 user token and fetches the keys once', async () => {
    const claims = userClaims({ iss: `${supabaseUrl}/auth/v1` });
    const first = await request(t.server)
      .get('/api/debug/auth-test')
      .set(bearer(await es256(claims)));
    const second = await request(t.server)
      .get('/api/debug/auth-test')
      .set(bearer(await es256(claims)));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.user_id).toBe(claims.sub);
    expect(jwksHits).toBe(1);
  });

  it('rejects HS256 tokens when no secret is configured (no algorithm confusion)', async () => {
    const res = await request(t.server)
      .get('/api/debug/auth-test')
      .set(bearer(await hs256(userClaims({ iss: `${supabaseUrl}/auth/v1` }))));
    expect(res.status).toBe(401);
  });

  it('rejects an unknown key id, a wrong issuer and a service-role token', async () => {
    const iss = `${supabaseUrl}/auth/v1`;
    for (const token of [
      await es256(userClaims({ iss }), 'unknown-key'),
      await es256(userClaims({ iss: ISSUER })),
      await es256(userClaims({ iss, role: 'service_role' })),
    ]) {
      const res = await request(t.server).get('/api/debug/auth-test').set(bearer(token));
      expect(res.status).toBe(401);
    }
  });
});

@Controller('api/test-companies')
class CompanyProbeController {
  @Get(':company_id/read')
  @CompanyAccess('path')
  readCompany(@Param('company_id') id: string): { id: string } {
    return { id };
  }

  @Get(':company_id/write')
  @CompanyAccess('path', 'owner', 'admin')
  writeCompany(@Param('company_id') id: string): { id: string } {
    return { id };
  }
}

describe('company membership', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A probe controller mounted beside the real ones exercises the guard exactly as company routes use it.
    t = await createTestApp({ controllers: [CompanyProbeController] });
  });
  afterAll(() => t.close());

  it('lets members read and owners/admins write; refuses non-members with 403 whether or not the company exists', async () => {
    const company = await createCompany(t.db);
    const [owner, member, outsider, admin] = await Promise.all([testUser(), testUser(), testUser(), testUser({ admin: true })]);
    await addMember(t.db, company.id, owner.id, 'owner');
    await addMember(t.db, company.id, member.id, 'member');
    const get = (path: string, user: TestUser) => request(t.server).get(`/api/test-companies/${path}`).set(bearer(user));

    expect((await get(`${company.id}/read`, member)).status).toBe(200);
    expect((await get(`${company.id}/write`, owner)).status).toBe(200);
    expect((await get(`${company.id}/write`, member)).status).toBe(403);
    const outsiderRead = await get(`${company.id}/read`, outsider);
    expect(outsiderRead.status).toBe(403);
    expect(outsiderRead.body.message).toMatch(/not a member/);
    expect((await get(`${randomUUID()}/read`, outsider)).status).toBe(403);
    expect((await get(`${company.id}/write`, admin)).status).toBe(200);
    expect((await get(`${randomUUID()}/read`, admin)).status).toBe(404);
    expect((await get('not-a-uuid/read', member)).status).toBe(400);
    expect((await request(t.server).get(`/api/test-companies/${company.id}/read`)).status).toBe(401);
  });
});
