import { BadRequestException, ExecutionContext, ForbiddenException } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { strictMock } from '../../test/support/strict-mock.js';
import type { AccessService } from './access.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { Tenant, TenantRequest, TenantSource } from './tenant.js';
import { COMPANY_ROLES, TENANT_SOURCE, TenantGuard } from './tenant.guard.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const BUNDLE = '33333333-3333-4333-8333-333333333333';
const user: AuthenticatedUser = { id: '44444444-4444-4444-8444-444444444444', role: 'authenticated', isAdmin: false, expiresAt: new Date(0) };

interface Shape {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

function setup(source: TenantSource, grant?: (target: unknown) => Tenant) {
  const metadata: Record<string, unknown> = { [TENANT_SOURCE]: source, [COMPANY_ROLES]: ['owner', 'admin'] };
  const reflector = strictMock<Reflector>('reflector', { getAllAndOverride: ((key: string) => metadata[key]) as unknown as Reflector['getAllAndOverride'] });
  const access = strictMock<AccessService>('access', grant ? { requireAccess: async (_u, target) => grant(target) } : {});
  const guard = new TenantGuard(reflector, access);
  const run = async (shape: Shape) => {
    const request = { user, params: shape.params ?? {}, query: shape.query ?? {}, body: shape.body } as unknown as TenantRequest;
    const context = {
      switchToHttp: () => ({ getRequest: () => request }),
      getHandler: () => run,
      getClass: () => TenantGuard,
    } as unknown as ExecutionContext;
    await guard.canActivate(context);
    return request;
  };
  return { run, access };
}

const tenantOf = (companyId: string): Tenant => ({ companyId, role: 'owner', user });

describe('TenantGuard', () => {
  it('reads the company from the declared place only and attaches the verified tenant', async () => {
    const { run, access } = setup('body', () => tenantOf(A));
    const request = await run({ body: { company_id: A } });
    expect(access.requireAccess).toHaveBeenCalledExactlyOnceWith(user, { companyId: A }, ['owner', 'admin']);
    expect(request.tenant).toEqual(tenantOf(A));
  });

  it('accepts the same company_id repeated elsewhere (case aside)', async () => {
    const { run } = setup('body', () => tenantOf(A));
    await expect(run({ body: { company_id: A }, query: { company_id: A.toUpperCase() } })).resolves.toBeDefined();
  });

  it.each<[string, TenantSource, Shape]>([
    ['body declared, another in the query (the bundle exploit)', 'body', { body: { company_id: B }, query: { company_id: A } }],
    ['query declared, another in the body', 'query', { query: { company_id: A }, body: { company_id: B } }],
    ['path declared, another in the query', 'path', { params: { company_id: A }, query: { company_id: B } }],
    ['path declared, another in the body', 'path', { params: { company_id: A }, body: { company_id: B } }],
    ['a repeated query parameter', 'query', { query: { company_id: [A, B] } }],
    ['a non-string company_id elsewhere', 'path', { params: { company_id: A }, body: { company_id: 42 } }],
  ])('refuses a conflicting company_id with 400 before any access check: %s', async (_, source, shape) => {
    const { run } = setup(source); // no requireAccess declared: calling it would fail the test
    await expect(run(shape)).rejects.toThrow(BadRequestException);
  });

  it('refuses a missing or malformed company_id in the declared place with 400', async () => {
    const { run } = setup('query');
    await expect(run({ body: { company_id: A } })).rejects.toThrow(/company_id is required in the query/);
    await expect(run({ query: { company_id: 'nope' } })).rejects.toThrow(/must be a UUID/);
  });

  it('authorises a resource through its owner, then refuses a company_id naming another company', async () => {
    const { run, access } = setup({ resource: 'bundle', param: 'bundle_id' }, () => tenantOf(A));
    const request = await run({ params: { bundle_id: BUNDLE } });
    expect(access.requireAccess).toHaveBeenCalledExactlyOnceWith(user, { resource: 'bundle', id: BUNDLE }, ['owner', 'admin']);
    expect(request.tenant?.companyId).toBe(A);
    await expect(run({ params: { bundle_id: BUNDLE }, query: { company_id: B } })).rejects.toThrow(BadRequestException);
  });

  it('passes on the access decision (403) and attaches nothing', async () => {
    const { run } = setup('path', () => {
      throw new ForbiddenException('You are not a member of this company');
    });
    await expect(run({ params: { company_id: A } })).rejects.toThrow(ForbiddenException);
  });
});
