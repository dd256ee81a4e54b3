import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fields bound to every log line written inside a context: telephony and agent code binds the call it works
 * on once, and every `new Logger('X').log(...)` below it, in any module, carries them.
 *
 * - HTTP (webhooks): each request already runs in a context of its own (LoggingModule), so a handler or
 *   service calls `bindLogContext({ call_sid: body.CallSid, company_id })` once; the rest of the request,
 *   its "request completed" line included, carries both.
 * - WebSockets: keep one bindings object per socket, fill it when the `start`/`setup` frame names the call,
 *   and run each frame's handling in it:
 *   `socket.on('message', (data) => runWithLogContext(bindings, () => this.onFrame(socket, data)))`.
 * - Timers and scheduled jobs: `runWithLogContext({ job: 'bundle-monitor' }, () => this.runOnce())`.
 */
export interface LogBindings {
  call_sid?: string;
  company_id?: string;
  stream_sid?: string;
  voice_path?: string;
  conversation_id?: string;
  bundle_id?: string;
  job?: string;
}

const storage = new AsyncLocalStorage<LogBindings>();

/**
 * Runs `fn` in a context that adds `bindings` to the surrounding ones (the HTTP request's, or none) for
 * every log line written in it, across awaits. WebSocket gateways wrap each socket event in it.
 */
export function runWithLogContext<T>(bindings: LogBindings, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...defined(bindings) }, fn);
}

/**
 * Runs `fn` in `store` itself, not a copy: everything that runs in it (and `bindLogContext` from any of it) shares
 * one set of fields. A WebSocket gateway keeps one store per socket and runs the socket's work in it, so the call
 * SID bound when the stream's first frame names the call is on every later line of that socket, frames and timers alike.
 */
export function runInLogContext<T>(store: LogBindings, fn: () => T): T {
  return storage.run(store, fn);
}

/**
 * Adds fields to the current context from now on: a webhook handler binds the CallSid and company once it
 * knows them, and the rest of the request (including its "request completed" line) carries them.
 * Outside any context it does nothing and returns false: a log context never leaks into unrelated work.
 */
export function bindLogContext(bindings: LogBindings): boolean {
  const store = storage.getStore();
  if (!store) return false;
  Object.assign(store, defined(bindings));
  return true;
}

/** The fields bound here, for the logger's mixin (and for tests). */
export function currentLogBindings(): Readonly<LogBindings> {
  return storage.getStore() ?? EMPTY;
}

const EMPTY: Readonly<LogBindings> = Object.freeze({});

function defined(bindings: LogBindings): LogBindings {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(bindings)) if (value !== undefined) out[key] = value as string;
  return out;
}
