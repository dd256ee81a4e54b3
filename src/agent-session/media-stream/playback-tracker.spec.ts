import { base64Bytes, PlaybackTracker } from './playback-tracker.js';

const chunk = (bytes: number): string => Buffer.alloc(bytes, 0xff).toString('base64');

describe('base64Bytes', () => {
  it.each([0, 1, 2, 3, 159, 160, 161, 4000])('counts %i bytes without decoding', (n) => {
    expect(base64Bytes(chunk(n))).toBe(n);
  });
});

describe('PlaybackTracker', () => {
  it('heard position is the end of the last chunk whose mark came back', () => {
    const tracker = new PlaybackTracker();
    const marks = [tracker.sent('item_1', chunk(160)), tracker.sent('item_1', chunk(160)), tracker.sent('item_1', chunk(800))];
    expect(tracker.playing).toBe(true);
    tracker.echoed(marks[0]);
    tracker.echoed(marks[1]);
    expect(tracker.interrupt()).toEqual({ itemId: 'item_1', heardMs: 40, sentMs: 140 });
  });

  it('nothing to truncate when everything has played', () => {
    const tracker = new PlaybackTracker();
    tracker.echoed(tracker.sent('item_1', chunk(160)));
    expect(tracker.playing).toBe(false);
    expect(tracker.interrupt()).toBeNull();
  });

  it('a new item starts from zero', () => {
    const tracker = new PlaybackTracker();
    tracker.echoed(tracker.sent('item_1', chunk(1600)));
    const second = tracker.sent('item_2', chunk(160));
    tracker.sent('item_2', chunk(160));
    tracker.echoed(second);
    expect(tracker.interrupt()).toMatchObject({ itemId: 'item_2', heardMs: 20 });
  });

  it('ignores echoes of marks flushed by a clear (older generation) and unknown names', () => {
    const tracker = new PlaybackTracker();
    const old = [tracker.sent('item_1', chunk(160)), tracker.sent('item_1', chunk(160))];
    tracker.interrupt();
    const fresh = tracker.sent('item_2', chunk(160));
    tracker.sent('item_2', chunk(160));
    for (const name of [...old, 'garbage', '::', '1:x:y']) tracker.echoed(name);
    expect(tracker.playing).toBe(true);
    tracker.echoed(fresh);
    expect(tracker.interrupt()).toMatchObject({ itemId: 'item_2', heardMs: 20 });
  });

  it('drained() resolves when the last mark comes back, or on timeout', async () => {
    const tracker = new PlaybackTracker();
    const mark = tracker.sent('item_1', chunk(160));
    let done = false;
    const waiting = tracker.drained(5_000).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    tracker.echoed(mark);
    await waiting;
    expect(done).toBe(true);
    tracker.sent('item_1', chunk(160));
    const started = Date.now();
    await tracker.drained(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
