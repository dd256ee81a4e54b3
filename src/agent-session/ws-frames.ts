import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';

/** The largest frame either gateway accepts: a 20 ms audio frame is ~300 bytes, a prompt a few KB. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Close codes sent to Twilio. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupported: 1003,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  restart: 1012,
} as const;

/**
 * A JSON object from a text frame, or null for anything else (binary, not JSON, not an object): a public socket
 * gets garbage, and garbage must cost little and never throw.
 */
export function parseFrame(data: RawData, isBinary: boolean): Record<string, unknown> | null {
  const text = frameText(data, isBinary);
  return text === null ? null : parseJsonObject(text);
}

export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (text.length === 0 || text.charCodeAt(0) !== 123 /* { */) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Sends when the socket is open; a closed socket is the normal end of a call, not an error. */
export function sendText(socket: WebSocket, text: string): boolean {
  if (socket.readyState !== 1) return false;
  socket.send(text);
  return true;
}

/**
 * Sends two frames in one system call: the TCP socket is corked around them, so both leave in one writev. A Media
 * Streams answer is a `media` and a `mark` frame 50 times a second a call, and on this path the writes cost the most.
 */
export function sendTextPair(socket: WebSocket, first: string, second: string): boolean {
  if (socket.readyState !== 1) return false;
  // `ws` keeps its TCP socket private and offers no batching of its own; without it the frames go out one by one.
  const raw = (socket as WebSocket & { _socket?: Duplex })._socket;
  raw?.cork();
  socket.send(first);
  socket.send(second);
  raw?.uncork();
  return true;
}

export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === 0 || socket.readyState === 1) socket.close(code, reason.slice(0, 120));
}

/**
 * Where gateways and tests agree on: how long a socket may stay silent before its first (setup/start) message.
 * Twilio sends it right after the upgrade; anyone else holds a socket (and its buffers) for at most this long.
 */
export const FIRST_MESSAGE_TIMEOUT_MS = 5_000;

/**
 * What a socket may have kept for it before its stream is admitted (early audio, early relay messages): tens of KB,
 * about 3 s of Twilio's 20 ms audio frames. Beyond it, early frames are dropped rather than buffered.
 */
export const MAX_UNADMITTED_BYTES = 32 * 1024;

/**
 * The string value of `"key":"..."` in a JSON text, when that value has no escapes (ids, base64), else undefined.
 * Audio frames are read this way instead of JSON.parse: they are most of the traffic and their shape is fixed.
 */
export function plainStringField(text: string, key: string): string | undefined {
  const marker = `"${key}":"`;
  const start = text.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  const end = text.indexOf('"', from);
  if (end < 0 || text.charCodeAt(end - 1) === 92 /* \ */) return undefined;
  return text.slice(from, end);
}

/** Decodes a frame's text, or null for binary frames. */
export function frameText(data: RawData, isBinary: boolean): string | null {
  if (isBinary) return null;
  return typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
}

/** The size of a received frame, whichever shape `ws` hands it in. */
export function rawDataBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
