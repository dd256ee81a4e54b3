import { Module } from '@nestjs/common';
import { AgentSessionModule } from '../agent-session/agent-session.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [AgentSessionModule], controllers: [HealthController] })
export class HealthModule {}
