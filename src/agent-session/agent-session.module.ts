import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module.js';
import { CallOwnersModule } from '../call-owners/call-owners.module.js';
import { AgentService } from '../agent/agent.service.js';
import { CompaniesModule } from '../companies/companies.module.js';
import { AgentProfileSource } from './agent-profile.source.js';
import { AgentSessionRepository } from './agent-session.repository.js';
import { AgentSessionShutdown } from './agent-session.shutdown.js';
import { CallControlService } from './call-control.service.js';
import { ConversationRelayGateway } from './conversation-relay/conversation-relay.gateway.js';
import { LiveCallControlController } from './live-call-control.controller.js';
import { LiveCallControlService } from './live-call-control.service.js';
import { LiveCallRegistry } from './live-calls.registry.js';
import { MediaStreamGateway } from './media-stream/media-stream.gateway.js';
import { OpenAiRealtimeProvider } from './realtime/openai-realtime.provider.js';
import { RealtimeVoiceProvider } from './realtime/realtime-voice.provider.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, SocketHeartbeat } from './socket-heartbeat.js';
import { SqlAgentProfileSource } from './sql-agent-profile.source.js';
import { StreamAdmissionService } from './stream-admission.service.js';
import { VoiceAgent } from './voice-agent.js';

/**
 * The voice gateways (`WS /conversation-relay`, `WS /media-stream`), the realtime bridge and call control.
 * ConversationRelay calls speak with the company's agent (AgentService: the knowledge or OpenAI brain).
 */
@Module({
  imports: [AgentModule, CompaniesModule, CallOwnersModule],
  controllers: [LiveCallControlController],
  providers: [
    LiveCallControlService,
    { provide: VoiceAgent, useExisting: AgentService },
    { provide: AgentProfileSource, useClass: SqlAgentProfileSource },
    { provide: RealtimeVoiceProvider, useClass: OpenAiRealtimeProvider },
    AgentSessionRepository,
    LiveCallRegistry,
    StreamAdmissionService,
    CallControlService,
    AgentSessionShutdown,
    SocketHeartbeat,
    { provide: HEARTBEAT_INTERVAL_MS, useValue: DEFAULT_HEARTBEAT_INTERVAL_MS },
    ConversationRelayGateway,
    MediaStreamGateway,
  ],
  exports: [LiveCallRegistry],
})
export class AgentSessionModule {}
