import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { WebSocket } from 'ws';

/**
 * `WsAdapter`, minus its message dispatcher for gateways that have no @SubscribeMessage handlers. The voice
 * gateways read their raw sockets (Twilio frames carry `event`/`type` and no `data`); the stock adapter would still
 * JSON-parse every frame and push it through an rxjs pipeline to find no handler: 50 times a second per call, for nothing.
 */
export class RawSocketWsAdapter extends WsAdapter {
  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length === 0) return;
    super.bindMessageHandlers(client, handlers, transform);
  }
}
