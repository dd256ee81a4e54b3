import { addMember, createCompany } from './factories.js';
import type { TestApp } from './test-app.js';
import { testUser, TestUser } from './tokens.js';

export interface CompanyWithRoles {
  companyId: string;
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  outsider: TestUser;
  platformAdmin: TestUser;
}

/** A fresh company with one user per role, an outsider and a platform admin (fresh ids: the server DB is shared). */
export async function companyWithRoles(t: TestApp, name?: string): Promise<CompanyWithRoles> {
  const company = await createCompany(t.db, { name });
  const [owner, admin, member, outsider, platformAdmin] = await Promise.all([testUser(), testUser(), testUser(), testUser(), testUser({ admin: true })]);
  await addMember(t.db, company.id, owner.id, 'owner');
  await addMember(t.db, company.id, admin.id, 'admin');
  await addMember(t.db, company.id, member.id, 'member');
  return { companyId: company.id, owner, admin, member, outsider, platformAdmin };
}

export type Actor = 'owner' | 'admin' | 'member' | 'outsider' | 'platformAdmin' | 'anonymous';
export const ACTORS: Actor[] = ['owner', 'admin', 'member', 'outsider', 'platformAdmin', 'anonymous'];

/** The status each actor gets: members read; owners and admins (and platform admins) write. */
export function expectedStatus(actor: Actor, access: 'read' | 'write', success: number): number {
  if (actor === 'anonymous') return 401;
  if (actor === 'outsider') return 403;
  if (access === 'write' && actor === 'member') return 403;
  return success;
}
