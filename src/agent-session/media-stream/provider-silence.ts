/**
 * How long the caller may wait on a realtime provider that says nothing before the call is rescued: the rescue
 * (a call update through Twilio's REST API, retried) then fits in DESIGN §9's 5 s. A live model answers within
 * about a second of the caller stopping.
 */
export const PROVIDER_SILENCE_MS = 3_000;

/** What the call is waiting for: any sign of life (a session opening), or the model's answer. */
export type Awaiting = 'any_event' | 'answer';

/**
 * Detects a provider that connects and goes silent: armed when the caller waits (after connect, after the caller
 * stopped speaking, after a tool result), satisfied by what the provider sends, fires `onSilence` otherwise.
 */
export class ProviderSilenceWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private awaiting: Awaiting | null = null;

  constructor(
    private readonly limitMs: number,
    private readonly onSilence: (awaited: Awaiting) => void,
  ) {}

  /** The caller now waits for `what`; restarts the clock. */
  expect(what: Awaiting): void {
    this.stop();
    this.awaiting = what;
    this.timer = setTimeout(() => {
      this.timer = null;
      const awaited = this.awaiting;
      this.awaiting = null;
      if (awaited) this.onSilence(awaited);
    }, this.limitMs);
  }

  /** The provider sent something; `answer` when it is (part of) the model's answer: audio, a tool call, a finished response. */
  heard(answer: boolean): void {
    if (this.awaiting === null) return;
    if (answer || this.awaiting === 'any_event') this.stop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.awaiting = null;
  }
}
