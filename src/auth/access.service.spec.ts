import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { strictMock } from '../../test/support/strict-mock.js';
import type { Database } from '../database/database.js';
import { AccessService } from './access.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { MembershipService } from './membership.service.js';

const COMPANY = '11111111-1111-4111-8111-111111111111';
const BUNDLE = '22222222-2222-4222-8222-222222222222';
const user = (isAdmin = false): AuthenticatedUser => ({ id: '33333333-3333-4333-8333-333333333333', role: 'authenticated', isAdmin, expiresAt: new Date(0) });
const WRITE = ['owner', 'admin'] as const;

function setup(options: { owner?: string | null; membership?: { company_exists: boolean; role: 'owner' | 'admin' | 'member' | null } } = {}) {
  const db = strictMock<Database>('db', 'owner' in options ? { call: async () => options.owner as never } : {});
  const memberships = strictMock<MembershipService>('memberships', options.membership ? { membership: async () => options.membership! } : {});
  return { sut: new AccessService(db, memberships), db, memberships };
}

describe('AccessService.requireAccess', () => {
  describe('a company by its id', () => {
    it('gives a member with an allowed role the tenant, asking only for the membership', async () => {
      const { sut, memberships } = setup({ membership: { company_exists: true, role: 'admin' } });
      await expect(sut.requireAccess(user(), { companyId: COMPANY }, WRITE)).resolves.toMatchObject({ companyId: COMPANY, role: 'admin' });
      expect(memberships.membership).toHaveBeenCalledExactlyOnceWith(COMPANY, user().id);
    });

    it('refuses a member without the role', async () => {
      const { sut } = setup({ membership: { company_exists: true, role: 'member' } });
      await expect(sut.requireAccess(user(), { companyId: COMPANY }, WRITE)).rejects.toThrow(ForbiddenException);
    });

    it('gives a non-member the same 403 whether or not the company exists', async () => {
      const exists = setup({ membership: { company_exists: true, role: null } });
      const missing = setup({ membership: { company_exists: false, role: null } });
      const a = await exists.sut.requireAccess(user(), { companyId: COMPANY }, WRITE).catch((e: unknown) => e);
      const b = await missing.sut.requireAccess(user(), { companyId: COMPANY }, WRITE).catch((e: unknown) => e);
      expect(a).toBeInstanceOf(ForbiddenException);
      expect((a as Error).message).toBe((b as Error).message);
    });

    it('lets a platform admin act on any existing company, and answers 404 for a missing one', async () => {
      await expect(
        setup({ membership: { company_exists: true, role: null } }).sut.requireAccess(user(true), { companyId: COMPANY }, WRITE),
      ).resolves.toMatchObject({ role: 'platform_admin' });
      await expect(setup({ membership: { company_exists: false, role: null } }).sut.requireAccess(user(true), { companyId: COMPANY }, WRITE)).rejects.toThrow(
        NotFoundException,
      );
    });
  });

  describe('a resource by its own id', () => {
    it('looks up the owning company first, then the role in it', async () => {
      const { sut, db, memberships } = setup({ owner: COMPANY, membership: { company_exists: true, role: 'owner' } });
      await expect(sut.requireAccess(user(), { resource: 'bundle', id: BUNDLE }, WRITE)).resolves.toMatchObject({ companyId: COMPANY, role: 'owner' });
      expect(db.call).toHaveBeenCalledExactlyOnceWith('get_regulatory_bundle_company', { p_bundle_id: BUNDLE });
      expect(memberships.membership).toHaveBeenCalledExactlyOnceWith(COMPANY, user().id);
      expect(db.call.mock.invocationCallOrder[0]).toBeLessThan(memberships.membership.mock.invocationCallOrder[0]);
    });

    it("gives a non-admin the same 403 for a missing resource and another company's, without asking about membership when it is missing", async () => {
      const missing = setup({ owner: null });
      const foreign = setup({ owner: COMPANY, membership: { company_exists: true, role: null } });
      const a = await missing.sut.requireAccess(user(), { resource: 'bundle', id: BUNDLE }, WRITE).catch((e: unknown) => e);
      const b = await foreign.sut.requireAccess(user(), { resource: 'bundle', id: BUNDLE }, WRITE).catch((e: unknown) => e);
      expect(a).toBeInstanceOf(ForbiddenException);
      expect(b).toBeInstanceOf(ForbiddenException);
      expect((a as Error).message).toBe((b as Error).message);
    });

    it('refuses a member of the owning company without the role', async () => {
      const { sut } = setup({ owner: COMPANY, membership: { company_exists: true, role: 'member' } });
      await expect(sut.requireAccess(user(), { resource: 'bundle', id: BUNDLE }, WRITE)).rejects.toThrow(/needs the company role owner or admin/);
    });

    it('lets a platform admin through without a membership lookup, and answers 404 for a missing resource', async () => {
      await expect(setup({ owner: COMPANY }).sut.requireAccess(user(true), { resource: 'bundle', id: BUNDLE }, WRITE)).resolves.toMatchObject({
        companyId: COMPANY,
        role: 'platform_admin',
      });
      await expect(setup({ owner: null }).sut.requireAccess(user(true), { resource: 'bundle', id: BUNDLE }, WRITE)).rejects.toThrow(NotFoundException);
    });
  });
});
