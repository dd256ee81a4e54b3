/** At most this long for a goodbye to play before `end` goes out anyway (Twilio's signal may never come). */
const MAX_WAIT_MS = 8_000;
/** A spoken word takes about this long; the wait for a text is bounded by its estimate, plus a margin. */
const MS_PER_WORD = 450;
const MARGIN_MS = 1_500;

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * What the caller has heard on ConversationRelay: the text tokens we sent in the current talk, and Twilio's
 * `{"type":"info","name":"tokensPlayed","value":"…"}` receipts (TwiML `debug="tokens-played"`). Used so that `end`
 * goes out only once the goodbye has been played, bounded.
 */
export class PlayedText {
  private sent = '';
  private played = '';
  private waiters: (() => void)[] = [];

  /** A text token sent to Twilio. */
  sentToken(token: string): void {
    this.sent += token;
  }

  /** A `tokensPlayed` receipt. */
  playedTokens(value: string): void {
    this.played += value;
    if (this.allPlayed()) for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** A new talk (the caller spoke, or spoke over the agent): what was not played never will be. */
  reset(): void {
    this.sent = '';
    this.played = '';
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once everything sent has been played, or after an estimate of its speaking time (at most 8 s). */
  drained(): Promise<void> {
    if (this.allPlayed()) return Promise.resolve();
    const unplayed = normalise(this.sent).split(' ').length;
    const limit = Math.min(MAX_WAIT_MS, unplayed * MS_PER_WORD + MARGIN_MS);
    return new Promise((resolve) => {
      const timer = setTimeout(done, limit);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Twilio reports played tokens as they were sent: the talk has played once its last words are among them. */
  private allPlayed(): boolean {
    const sent = normalise(this.sent);
    return sent === '' || normalise(this.played).includes(sent.slice(-40));
  }
}
