import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { isUUID } from 'class-validator';
import { COMPANY_ROLES, CompanyRole } from './auth.decorators.js';
import { AuthenticatedUser } from './authenticated-user.js';
import { MembershipService } from './membership.service.js';

type CompanyRequest = Request & { user?: AuthenticatedUser; companyRole?: CompanyRole | 'platform_admin' };

/** Finds the company a request acts on and checks the user's role in it; another tenant's data is never reached. */
@Injectable()
export class CompanyMemberGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly memberships: MembershipService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CompanyRequest>();
    const user = request.user;
    if (!user) throw new ForbiddenException('Sign in first');
    const companyId = companyIdOf(request);
    if (companyId === undefined) throw new BadRequestException('company_id is required');
    if (!isUUID(companyId)) throw new BadRequestException('company_id must be a UUID');
    const allowed = this.reflector.getAllAndOverride<CompanyRole[]>(COMPANY_ROLES, [context.getHandler(), context.getClass()]) ?? [];
    const membership = await this.memberships.membership(companyId, user.id);
    if (user.isAdmin) {
      if (!membership.company_exists) throw new NotFoundException(`Company ${companyId} does not exist`);
      request.companyRole = 'platform_admin';
      return true;
    }
    // Non-members get the same answer whether or not the company exists, so ids cannot be probed.
    if (!membership.role) throw new ForbiddenException('You are not a member of this company');
    if (!allowed.includes(membership.role)) {
      throw new ForbiddenException(`This needs the company role ${allowed.join(' or ')}; you are ${membership.role}`);
    }
    request.companyRole = membership.role;
    return true;
  }
}

function companyIdOf(request: Request): string | undefined {
  const fromParams = request.params?.company_id;
  if (typeof fromParams === 'string') return fromParams;
  const fromQuery = request.query?.company_id;
  if (typeof fromQuery === 'string') return fromQuery;
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body.company_id === 'string') return body.company_id;
  return undefined;
}
