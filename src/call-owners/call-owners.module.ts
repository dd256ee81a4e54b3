import { Module } from '@nestjs/common';
import { CallOwnersRepository } from './call-owners.repository.js';
import { CallOwnershipService } from './call-ownership.service.js';
import { InstanceHeartbeat } from './instance-heartbeat.js';
import { InstanceIdentity } from './instance-identity.js';

/**
 * Who holds which live call (DESIGN §10): this instance's identity and heartbeat, and the owner recorded on a
 * session when its stream connects. The reconciliation of dead owners' calls is in the telephony module, which
 * owns call statuses.
 */
@Module({
  providers: [InstanceIdentity, CallOwnersRepository, InstanceHeartbeat, CallOwnershipService],
  exports: [InstanceIdentity, InstanceHeartbeat, CallOwnershipService],
})
export class CallOwnersModule {}
