import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export type ActingRole = 'owner' | 'admin' | 'member' | 'platform_admin';

/** The caller's role in the route's company, as CompanyMemberGuard found it (the guard runs first). */
export const CompanyRoleOf = createParamDecorator((_: unknown, ctx: ExecutionContext): ActingRole => {
  const request = ctx.switchToHttp().getRequest<Request & { companyRole?: ActingRole }>();
  return request.companyRole ?? 'member';
});
