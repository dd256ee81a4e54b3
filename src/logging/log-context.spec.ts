import { bindLogContext, currentLogBindings, runWithLogContext } from './log-context.js';

describe('log context', () => {
  it('binds fields across awaits and nests without leaking outwards', async () => {
    await runWithLogContext({ company_id: 'c1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(bindLogContext({ call_sid: 'CA1' })).toBe(true);
      await Promise.resolve();
      expect(currentLogBindings()).toEqual({ company_id: 'c1', call_sid: 'CA1' });
      runWithLogContext({ stream_sid: 'MZ1', company_id: undefined }, () => {
        expect(currentLogBindings()).toEqual({ company_id: 'c1', call_sid: 'CA1', stream_sid: 'MZ1' });
      });
      expect(currentLogBindings()).toEqual({ company_id: 'c1', call_sid: 'CA1' });
    });
    expect(currentLogBindings()).toEqual({});
  });

  it('keeps concurrent contexts apart', async () => {
    const seen = await Promise.all(
      ['CA1', 'CA2'].map((sid, i) =>
        runWithLogContext({}, async () => {
          bindLogContext({ call_sid: sid });
          await new Promise((resolve) => setTimeout(resolve, 5 - i * 4));
          return currentLogBindings().call_sid;
        }),
      ),
    );
    expect(seen).toEqual(['CA1', 'CA2']);
  });

  it('does nothing outside a context', () => {
    expect(bindLogContext({ call_sid: 'CA9' })).toBe(false);
    expect(currentLogBindings()).toEqual({});
  });
});
