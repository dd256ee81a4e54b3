import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { AppConfig } from '../../config/app-config.js';
import { LogBindings, runInLogContext } from '../../logging/log-context.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { AgentProfileSource } from '../agent-profile.source.js';
import { AgentSessionRepository } from '../agent-session.repository.js';
import { CallControlService } from '../call-control.service.js';
import { LiveCallRegistry } from '../live-calls.registry.js';
import { SocketHeartbeat } from '../socket-heartbeat.js';
import { RealtimeVoiceProvider } from '../realtime/realtime-voice.provider.js';
import { StreamAdmissionService } from '../stream-admission.service.js';
import { CLOSE, closeSocket, frameText, MAX_FRAME_BYTES, parseJsonObject, plainStringField } from '../ws-frames.js';
import { MediaCallSession, MediaDeps } from './media-call.session.js';

const MEDIA_PREFIX = '{"event":"media"';
const MARK_PREFIX = '{"event":"mark"';

/** `WS /media-stream`: Twilio Media Streams (bidirectional), bridged to the realtime provider. Raw socket, no per-frame logging. */
@WebSocketGateway({ path: '/media-stream', maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
export class MediaStreamGateway implements OnGatewayConnection, OnGatewayInit {
  private readonly logger = new Logger('MediaStream');
  private readonly deps: MediaDeps;

  constructor(
    admission: StreamAdmissionService,
    provider: RealtimeVoiceProvider,
    calls: LiveCallRegistry,
    repository: AgentSessionRepository,
    profiles: AgentProfileSource,
    control: CallControlService,
    config: AppConfig,
    metrics: MetricsService,
    private readonly heartbeat: SocketHeartbeat,
  ) {
    this.deps = { admission, provider, calls, repository, profiles, control, rates: config.agentSession.realtimeRates, metrics };
  }

  afterInit(): void {
    if (!this.deps.provider.configured) {
      this.logger.log(
        { event: 'media_stream_unavailable', effective_voice_path: 'conversation_relay' },
        'No realtime provider (OPENAI_API_KEY): companies on media_stream are served through ConversationRelay',
      );
    }
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    if (!this.deps.admission.upgradeAllowed(request)) {
      this.logger.warn(
        { event: 'media_upgrade_refused', has_signature: request.headers['x-twilio-signature'] !== undefined },
        'Refused a media stream upgrade',
      );
      closeSocket(socket, this.deps.calls.isAccepting() ? CLOSE.policy : CLOSE.restart, 'refused');
      return;
    }
    // One log context per socket: the session binds the call SID in it when the start frame names the call.
    const logContext: LogBindings = { voice_path: 'media_stream' };
    const session = runInLogContext(logContext, () => new MediaCallSession(socket, this.deps));
    this.heartbeat.watch(socket);
    socket.on('message', (data, isBinary) => {
      const text = frameText(data, isBinary);
      if (text === null) return;
      // 50 frames a second each way: caller audio (`media`, base64 payload) and the echoes of our marks are read
      // without JSON.parse and outside the log context, since neither logs.
      if (text.startsWith(MEDIA_PREFIX)) {
        const payload = plainStringField(text, 'payload');
        if (payload !== undefined) return session.audioIn(payload);
      } else if (text.startsWith(MARK_PREFIX)) {
        const name = plainStringField(text, 'name');
        if (name !== undefined) return session.markPlayed(name);
      }
      runInLogContext(logContext, () => session.handle(parseJsonObject(text)));
    });
  }
}
