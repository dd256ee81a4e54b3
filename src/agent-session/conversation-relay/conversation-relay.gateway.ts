import { Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { LogBindings, runInLogContext } from '../../logging/log-context.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { AgentSessionRepository } from '../agent-session.repository.js';
import { LiveCallRegistry } from '../live-calls.registry.js';
import { SocketHeartbeat } from '../socket-heartbeat.js';
import { StreamAdmissionService } from '../stream-admission.service.js';
import { VoiceAgent } from '../voice-agent.js';
import { CLOSE, closeSocket, MAX_FRAME_BYTES, parseFrame, rawDataBytes } from '../ws-frames.js';
import { RelayCallSession, RelayDeps } from './relay-call.session.js';

/**
 * `WS /conversation-relay`: Twilio ConversationRelay. Frames carry `type` and no `data`, so the raw socket is
 * handled here rather than through @SubscribeMessage.
 */
@WebSocketGateway({ path: '/conversation-relay', maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
export class ConversationRelayGateway implements OnGatewayConnection {
  private readonly logger = new Logger('ConversationRelay');
  private readonly deps: RelayDeps;

  constructor(
    admission: StreamAdmissionService,
    agent: VoiceAgent,
    calls: LiveCallRegistry,
    repository: AgentSessionRepository,
    metrics: MetricsService,
    private readonly heartbeat: SocketHeartbeat,
  ) {
    this.deps = { admission, agent, calls, repository, metrics };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    if (!this.deps.admission.upgradeAllowed(request)) {
      this.logger.warn(
        { event: 'relay_upgrade_refused', has_signature: request.headers['x-twilio-signature'] !== undefined },
        'Refused a ConversationRelay upgrade',
      );
      closeSocket(socket, this.deps.calls.isAccepting() ? CLOSE.policy : CLOSE.restart, 'refused');
      return;
    }
    // One log context per socket: the session binds the call SID in it when the setup frame names the call.
    const logContext: LogBindings = { voice_path: 'conversation_relay' };
    const session = runInLogContext(logContext, () => new RelayCallSession(socket, this.deps));
    this.heartbeat.watch(socket);
    socket.on('message', (data, isBinary) => runInLogContext(logContext, () => session.handle(parseFrame(data, isBinary), rawDataBytes(data))));
  }
}
