import { assertLeaseOutlastsRequests, minimumLeaseSeconds } from './purchase-lease.js';

describe('the bundle lease against the Twilio requests it covers', () => {
  it('is at least two full request timeouts plus room for the database', () => {
    expect(minimumLeaseSeconds(10_000)).toBe(25);
    expect(minimumLeaseSeconds(80)).toBe(6);
  });

  it('accepts the default (120 s lease, 10 s requests) and refuses a lease a slow request could outlive', () => {
    expect(() => assertLeaseOutlastsRequests(120, 10_000)).not.toThrow();
    expect(() => assertLeaseOutlastsRequests(20, 10_000)).toThrow(/must outlast the Twilio requests it covers.*at least 25 s/);
    expect(() => assertLeaseOutlastsRequests(120, 60_000)).toThrow(/at least 125 s/);
  });
});
