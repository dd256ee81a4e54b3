import { ProviderSilenceWatchdog } from './provider-silence.js';

describe('ProviderSilenceWatchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires when nothing answers within the limit, once', () => {
    const silent = vi.fn();
    const watchdog = new ProviderSilenceWatchdog(3_000, silent);
    watchdog.expect('answer');
    vi.advanceTimersByTime(2_999);
    expect(silent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(silent).toHaveBeenCalledExactlyOnceWith('answer');
    vi.advanceTimersByTime(10_000);
    expect(silent).toHaveBeenCalledTimes(1);
  });

  it('an answer satisfies it; other events do not while an answer is awaited', () => {
    const silent = vi.fn();
    const watchdog = new ProviderSilenceWatchdog(3_000, silent);
    watchdog.expect('answer');
    watchdog.heard(false); // e.g. a transcription event: the model itself has not answered
    vi.advanceTimersByTime(3_000);
    expect(silent).toHaveBeenCalledTimes(1);

    watchdog.expect('answer');
    vi.advanceTimersByTime(1_000);
    watchdog.heard(true);
    vi.advanceTimersByTime(5_000);
    expect(silent).toHaveBeenCalledTimes(1);
  });

  it('any event satisfies a wait for a sign of life; stop disarms; expect restarts the clock', () => {
    const silent = vi.fn();
    const watchdog = new ProviderSilenceWatchdog(3_000, silent);
    watchdog.expect('any_event');
    watchdog.heard(false);
    vi.advanceTimersByTime(5_000);
    watchdog.expect('answer');
    watchdog.stop();
    vi.advanceTimersByTime(5_000);
    watchdog.expect('answer');
    vi.advanceTimersByTime(2_000);
    watchdog.expect('answer');
    vi.advanceTimersByTime(2_000);
    expect(silent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(silent).toHaveBeenCalledTimes(1);
  });
});
