import { parseFrame, plainStringField } from './ws-frames.js';

describe('plainStringField', () => {
  it('reads a plain string value wherever the key is', () => {
    expect(plainStringField('{"event":"media","media":{"track":"inbound","payload":"AAEC/+=="},"streamSid":"MZ1"}', 'payload')).toBe('AAEC/+==');
    expect(plainStringField('{"streamSid":"MZ1","event":"media"}', 'streamSid')).toBe('MZ1');
  });

  it('gives up on escapes, missing keys and unterminated values, so the caller falls back to JSON.parse', () => {
    expect(plainStringField('{"payload":"ab\\"cd"}', 'payload')).toBeUndefined();
    expect(plainStringField('{"media":{}}', 'payload')).toBeUndefined();
    expect(plainStringField('{"payload":"abc', 'payload')).toBeUndefined();
    expect(plainStringField('{"payload":12}', 'payload')).toBeUndefined();
  });
});

describe('parseFrame', () => {
  it.each([
    ['binary', Buffer.from('{"a":1}'), true],
    ['not JSON', Buffer.from('hello'), false],
    ['broken JSON', Buffer.from('{"a":'), false],
    ['an array', Buffer.from('[1]'), false],
    ['empty', Buffer.alloc(0), false],
  ])('%s → null', (_name, data, binary) => expect(parseFrame(data, binary)).toBeNull());

  it('a JSON object', () => expect(parseFrame(Buffer.from('{"event":"stop"}'), false)).toEqual({ event: 'stop' }));
});
