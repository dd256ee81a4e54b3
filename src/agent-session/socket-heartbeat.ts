import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { WebSocket } from 'ws';

/** DI token: milliseconds between pings (tests shorten it). */
export const HEARTBEAT_INTERVAL_MS = Symbol('HEARTBEAT_INTERVAL_MS');
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 20_000;

/**
 * Finds half-open stream sockets (the peer vanished without a close: its `close` event would only come with the TCP
 * timeout, minutes later): every interval each socket is pinged, and one that did not answer the previous ping is
 * terminated, which runs its session's cleanup. One timer for all sockets, not one per call.
 */
@Injectable()
export class SocketHeartbeat implements OnModuleDestroy {
  private readonly alive = new Map<WebSocket, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(HEARTBEAT_INTERVAL_MS) private readonly intervalMs: number) {}

  watch(socket: WebSocket): void {
    this.alive.set(socket, true);
    socket.on('pong', () => this.alive.set(socket, true));
    socket.once('close', () => this.alive.delete(socket));
    this.timer ??= setInterval(() => this.sweep(), this.intervalMs);
  }

  private sweep(): void {
    for (const [socket, alive] of this.alive) {
      if (!alive) {
        this.alive.delete(socket);
        socket.terminate();
        continue;
      }
      this.alive.set(socket, false);
      socket.ping();
    }
    if (this.alive.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
