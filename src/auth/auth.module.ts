import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenGuard } from './access-token.guard.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { AdminGuard } from './admin.guard.js';
import { CompanyMemberGuard } from './company-member.guard.js';
import { MembershipService } from './membership.service.js';

@Global()
@Module({
  providers: [
    AccessTokenVerifier,
    MembershipService,
    AdminGuard,
    CompanyMemberGuard,
    { provide: APP_GUARD, useClass: AccessTokenGuard },
  ],
  exports: [AccessTokenVerifier, MembershipService, AdminGuard, CompanyMemberGuard],
})
export class AuthModule {}
