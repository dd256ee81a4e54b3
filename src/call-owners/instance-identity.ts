import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';

/**
 * This process's identity as a call owner: a new random id at every start, so that a restarted process never
 * mistakes the calls of its dead predecessor for its own (they are reconciled like any dead owner's).
 */
@Injectable()
export class InstanceIdentity {
  readonly id = randomUUID();
  readonly host = hostname();
  readonly pid = process.pid;
}
