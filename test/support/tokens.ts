import { randomUUID } from 'node:crypto';
import { mintDevelopmentToken } from '../../src/auth/development-token.js';
import { TEST_JWT_SECRET, TEST_SUPABASE_URL } from './test-config.js';

export interface TestUser {
  id: string;
  token: string;
}

/** A signed-in user with a valid token for the test configuration. */
export async function testUser(options: { admin?: boolean; id?: string; email?: string; expiresInSeconds?: number } = {}): Promise<TestUser> {
  const id = options.id ?? randomUUID();
  const token = await mintDevelopmentToken({
    sub: id,
    secret: TEST_JWT_SECRET,
    issuer: `${TEST_SUPABASE_URL}/auth/v1`,
    admin: options.admin,
    email: options.email ?? `${id.slice(0, 8)}@example.com`,
    expiresInSeconds: options.expiresInSeconds,
  });
  return { id, token };
}

export const bearer = (user: TestUser | string): { Authorization: string } => ({
  Authorization: `Bearer ${typeof user === 'string' ? user : user.token}`,
});
