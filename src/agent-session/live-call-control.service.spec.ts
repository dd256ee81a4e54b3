import { BadGatewayException, ConflictException, Logger, NotFoundException } from '@nestjs/common';
import { strictMock } from '../../test/support/strict-mock.js';
import type { Tenant } from '../auth/tenant.js';
import type { AgentSessionRepository } from './agent-session.repository.js';
import type { CallControlService } from './call-control.service.js';
import { LiveCallControlService } from './live-call-control.service.js';

const tenant: Tenant = { companyId: 'c1', role: 'admin', user: { id: 'u1' } as Tenant['user'] };
const CALL = 'CA00000000000000000000000000000001';

function service(call: { status: string; ended_at: string | null } | null, twilio: () => Promise<void> = () => Promise.resolve()) {
  const repository = strictMock<AgentSessionRepository>('repository', {
    companyCall: () => Promise.resolve(call),
    appendTranscript: () => Promise.resolve({ seq: 1 }),
  });
  const control = strictMock<CallControlService>('control', { hangup: twilio, transfer: twilio });
  return { repository, control, live: new LiveCallControlService(repository, control) };
}

describe('LiveCallControlService', () => {
  // the service's structured logs are checked in the e2e suite; here they would only be noise
  beforeAll(() => Logger.overrideLogger(false));

  it('hangs up a live call of the tenant, then records hangup_by_api', async () => {
    const { repository, control, live } = service({ status: 'in-progress', ended_at: null });
    await expect(live.hangup(tenant, CALL)).resolves.toEqual({ call_sid: CALL, action: 'hangup', to: null });
    expect(repository.companyCall).toHaveBeenCalledWith('c1', CALL);
    expect(control.hangup).toHaveBeenCalledWith(CALL);
    expect(repository.appendTranscript).toHaveBeenCalledWith(CALL, 'c1', { role: 'system', text: 'hangup_by_api' });
  });

  it('transfers, then records transferred_by_api with the number', async () => {
    const { repository, control, live } = service({ status: 'ringing', ended_at: null });
    await live.transfer(tenant, CALL, '+525511112222');
    expect(control.transfer).toHaveBeenCalledWith(CALL, '+525511112222');
    expect(repository.appendTranscript).toHaveBeenCalledWith(CALL, 'c1', { role: 'system', text: 'transferred_by_api: +525511112222' });
  });

  it('a call the tenant does not have is 404, an ended one 409; Twilio is not asked', async () => {
    const unknown = service(null);
    await expect(unknown.live.hangup(tenant, CALL)).rejects.toBeInstanceOf(NotFoundException);
    expect(unknown.control.hangup).not.toHaveBeenCalled();
    for (const ended of [
      { status: 'completed', ended_at: '2026-12-03T10:00:00Z' },
      { status: 'canceled', ended_at: null },
    ]) {
      const { control, live } = service(ended);
      await expect(live.transfer(tenant, CALL, '+525511112222')).rejects.toBeInstanceOf(ConflictException);
      expect(control.transfer).not.toHaveBeenCalled();
    }
  });

  it('Twilio failing is 502 and a call Twilio no longer has is 409; nothing is recorded', async () => {
    const failing = service({ status: 'in-progress', ended_at: null }, () => Promise.reject(Object.assign(new Error('boom'), { status: 503 })));
    await expect(failing.live.hangup(tenant, CALL)).rejects.toBeInstanceOf(BadGatewayException);
    expect(failing.repository.appendTranscript).not.toHaveBeenCalled();
    const gone = service({ status: 'in-progress', ended_at: null }, () =>
      Promise.reject(Object.assign(new Error('not in progress'), { status: 400, code: 21220 })),
    );
    await expect(gone.live.transfer(tenant, CALL, '+525511112222')).rejects.toBeInstanceOf(ConflictException);
    expect(gone.repository.appendTranscript).not.toHaveBeenCalled();
  });
});
