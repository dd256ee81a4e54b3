import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenGuard } from './access-token.guard.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { AdminGuard } from './admin.guard.js';
import { AccessService } from './access.service.js';
import { MembershipService } from './membership.service.js';
import { TenantGuard } from './tenant.guard.js';

@Global()
@Module({
  providers: [AccessTokenVerifier, MembershipService, AdminGuard, AccessService, TenantGuard, { provide: APP_GUARD, useClass: AccessTokenGuard }],
  exports: [AccessTokenVerifier, MembershipService, AccessService, AdminGuard, TenantGuard],
})
export class AuthModule {}
