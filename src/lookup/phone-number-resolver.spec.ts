import type { CacheNotice } from '../coherence/cache-notice.js';
import type { CacheNotices } from '../coherence/cache-notices.service.js';
import type { Database } from '../database/database.js';
import { PhoneNumberResolver } from './phone-number-resolver.js';

const NUMBER = '+525512345678';

/** A database answering each lookup with the company it currently has for the number, and notices the test sends. */
function setUp(coversEveryWriter = true) {
  const state = { company: 'c1', reads: 0, pending: null as null | (() => void) };
  const db = {
    call: async () => {
      state.reads++;
      const company = state.company;
      if (state.pending === null) return { phone_number: NUMBER, company_id: company };
      await new Promise<void>((resolve) => (state.pending = resolve));
      return { phone_number: NUMBER, company_id: company };
    },
  } as unknown as Database;
  const handlers: ((notice: CacheNotice) => void)[] = [];
  const notices = { coversEveryWriter, on: (handler: (notice: CacheNotice) => void) => handlers.push(handler), publish: vi.fn() } as unknown as CacheNotices;
  const resolver = new PhoneNumberResolver(db, notices);
  resolver.onModuleInit();
  const send = (notice: CacheNotice): void => handlers.forEach((handler) => handler(notice));
  return { state, resolver, send, notices };
}

describe('PhoneNumberResolver and cache notices', () => {
  it('serves from the cache until a notice names the number, its company, or the channel reconnects', async () => {
    const { state, resolver, send } = setUp();
    await resolver.resolveNormalized(NUMBER);
    await resolver.resolveNormalized(NUMBER);
    expect(state.reads).toBe(1);
    for (const notice of [{ kind: 'phone_number', phone_number: NUMBER }, { kind: 'company', company_id: 'c1' }, { kind: 'reset' }] as CacheNotice[]) {
      const before = state.reads;
      send(notice);
      await resolver.resolveNormalized(NUMBER);
      expect(state.reads, notice.kind).toBe(before + 1);
    }
    send({ kind: 'phone_number', phone_number: '+525500000000' });
    send({ kind: 'company', company_id: 'another' });
    send({ kind: 'call_stream', call_sid: 'CA1', stream_id: 's', generation: 1 });
    const before = state.reads;
    await resolver.resolveNormalized(NUMBER);
    expect(state.reads).toBe(before);
  });

  it('does not cache an answer read while a notice arrived (it may predate the change)', async () => {
    const { state, resolver, send } = setUp();
    state.pending = () => undefined;
    const reading = resolver.resolveNormalized(NUMBER);
    await vi.waitFor(() => expect(state.reads).toBe(1));
    state.company = 'c2';
    send({ kind: 'phone_number', phone_number: NUMBER });
    state.pending!();
    expect((await reading)?.company_id).toBe('c1');
    state.pending = null;
    expect((await resolver.resolveNormalized(NUMBER))?.company_id).toBe('c2');
  });

  it('still caches an answer read while other numbers and companies changed', async () => {
    const { state, resolver, send } = setUp();
    state.pending = () => undefined;
    const reading = resolver.resolveNormalized(NUMBER);
    await vi.waitFor(() => expect(state.reads).toBe(1));
    send({ kind: 'phone_number', phone_number: '+525500000000' });
    send({ kind: 'company', company_id: 'another' });
    state.pending!();
    await reading;
    state.pending = null;
    await resolver.resolveNormalized(NUMBER);
    expect(state.reads).toBe(1);
  });

  it('keeps answers 2 s only when the database does not announce every change (rpc transport)', async () => {
    vi.useFakeTimers();
    try {
      const { state, resolver } = setUp(false);
      await resolver.resolveNormalized(NUMBER);
      vi.advanceTimersByTime(1_500);
      await resolver.resolveNormalized(NUMBER);
      expect(state.reads).toBe(1);
      vi.advanceTimersByTime(600);
      await resolver.resolveNormalized(NUMBER);
      expect(state.reads).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('announces a number this instance reconfigured', () => {
    const { resolver, notices } = setUp();
    resolver.invalidate(NUMBER);
    expect(notices.publish).toHaveBeenCalledWith({ kind: 'phone_number', phone_number: NUMBER });
  });
});
