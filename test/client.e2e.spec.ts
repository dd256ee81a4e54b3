import { createApiClient } from '../client/src/index.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testUser, TestUser } from './support/tokens.js';

let t: TestApp;
let baseUrl: string;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  baseUrl = await t.app.getUrl();
  admin = await testUser({ admin: true });
});
afterAll(() => t.close());

describe('the typed client against the running API', () => {
  it('sends the token and decodes the answer', async () => {
    const api = createApiClient({ baseUrl, accessToken: () => admin.token });
    const me = await api.get('/api/debug/auth-test');
    expect(me.ok).toBe(true);
    if (me.ok) expect(me.data).toMatchObject({ authenticated: true, user_id: admin.id, is_admin: true });
  });

  it('fills and encodes path parameters, and returns API errors as values', async () => {
    const api = createApiClient({ baseUrl, accessToken: admin.token });
    const lookup = await api.get('/api/debug/phone-lookup/{phone_number}', { path: { phone_number: '+529999000111' } });
    expect(lookup.ok).toBe(false);
    if (!lookup.ok) {
      expect(lookup.status).toBe(404);
      expect(lookup.error.message).toContain('No company has +529999000111');
    }
  });

  it('sends query parameters and reports a missing token as a 401 error', async () => {
    const other = await testUser();
    const api = createApiClient({ baseUrl, accessToken: admin.token });
    const theirs = await api.get('/api/debug/user-companies', { query: { user_id: other.id } });
    expect(theirs).toMatchObject({ ok: true, data: { user_id: other.id, companies: [] } });

    const anonymous = createApiClient({ baseUrl });
    const refused = await anonymous.get('/api/debug/auth-test');
    expect(refused).toMatchObject({ ok: false, status: 401, error: { statusCode: 401, error: 'Unauthorized' } });
  });

  it('reads plain-text answers as text', async () => {
    const api = createApiClient({ baseUrl });
    const metrics = await api.get('/metrics');
    expect(metrics.ok).toBe(true);
    if (metrics.ok) expect(metrics.data).toContain('http_request_duration_seconds');
  });
});
