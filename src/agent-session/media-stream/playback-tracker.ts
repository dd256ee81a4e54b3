/** G.711 μ-law at 8 kHz: one byte per sample, 8 bytes a millisecond. */
const BYTES_PER_MS = 8;

/** Bytes of a base64 string, without decoding it. */
export function base64Bytes(base64: string): number {
  const len = base64.length;
  const padding = len > 0 && base64.charCodeAt(len - 1) === 61 ? (len > 1 && base64.charCodeAt(len - 2) === 61 ? 2 : 1) : 0;
  return ((len * 3) >> 2) - padding;
}

export interface Interruption {
  itemId: string;
  /** Milliseconds of the item the caller has heard: the end of its last chunk whose `mark` came back. */
  heardMs: number;
  sentMs: number;
}

/**
 * What the caller has actually heard. Every audio chunk sent to Twilio is followed by a `mark` named
 * `<generation>:<item>:<end ms>:<n>`; Twilio echoes it when that chunk has played. A `clear` forgets every
 * outstanding mark (and starts a new generation, so names never repeat): the echoes of flushed marks, which
 * Twilio sends too, are ignored.
 */
export class PlaybackTracker {
  private generation = 0;
  private itemId: string | null = null;
  private itemIndex = 0;
  private sentMs = 0;
  private heardMs = 0;
  /** Marks sent and not echoed yet: only these count, so a stray or repeated echo changes nothing. */
  private readonly outstanding = new Set<string>();
  private marks = 0;
  private drainedWaiters: (() => void)[] = [];

  /** Records a chunk of `itemId` and returns the mark name to send after it. */
  sent(itemId: string, base64: string): string {
    if (itemId !== this.itemId) {
      this.itemId = itemId;
      this.itemIndex++;
      this.sentMs = 0;
      this.heardMs = 0;
    }
    this.sentMs += base64Bytes(base64) / BYTES_PER_MS;
    const name = `${this.generation}:${this.itemIndex}:${Math.round(this.sentMs)}:${++this.marks}`;
    this.outstanding.add(name);
    return name;
  }

  /** A `mark` echo from Twilio. */
  echoed(name: string): void {
    if (!this.outstanding.delete(name)) return;
    const [, item, endMs] = name.split(':');
    if (Number(item) === this.itemIndex) this.heardMs = Math.max(this.heardMs, Number(endMs));
    if (this.outstanding.size === 0) this.notifyDrained();
  }

  /** Whether audio is still queued at Twilio (sent, mark not yet back). */
  get playing(): boolean {
    return this.outstanding.size > 0;
  }

  get currentItem(): string | null {
    return this.itemId;
  }

  /** Barge-in: what to truncate, or null when nothing is playing. Starts a new generation either way. */
  interrupt(): Interruption | null {
    const cut =
      this.outstanding.size > 0 && this.itemId ? { itemId: this.itemId, heardMs: Math.min(this.heardMs, Math.floor(this.sentMs)), sentMs: this.sentMs } : null;
    this.generation++;
    this.outstanding.clear();
    this.itemId = null;
    this.notifyDrained();
    return cut;
  }

  /** Resolves when everything sent has played (or was cleared), or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.outstanding.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.drainedWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private notifyDrained(): void {
    for (const waiter of this.drainedWaiters.splice(0)) waiter();
  }
}
