import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { parseFrame, plainStringField, sendTextPair } from './ws-frames.js';

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

describe('sendTextPair', () => {
  it('sends both frames, in order, in one write of the TCP socket', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: string[] = [];
    const both = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        received.push(data.toString('utf8'));
        if (received.length === 2) resolve();
      }),
    );
    await new Promise((resolve) => client.once('open', resolve));
    const socket = await accepted;
    const raw = (socket as WebSocket & { _socket: Duplex & { _writev: (...args: unknown[]) => void; _write: (...args: unknown[]) => void } })._socket;
    const writev = vi.spyOn(raw, '_writev');
    const write = vi.spyOn(raw, '_write');
    try {
      expect(sendTextPair(socket, '{"event":"media"}', '{"event":"mark"}')).toBe(true);
      await both;
      expect(received).toEqual(['{"event":"media"}', '{"event":"mark"}']);
      expect(writev).toHaveBeenCalledTimes(1);
      expect(write).not.toHaveBeenCalled();
    } finally {
      client.close();
      server.close();
    }
  });

  it('sends nothing on a socket that is not open', () => {
    const closed = { readyState: 3, send: vi.fn() } as unknown as WebSocket;
    expect(sendTextPair(closed, 'a', 'b')).toBe(false);
    expect(closed.send).not.toHaveBeenCalled();
  });
});
