import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AgentSessionModule } from './agent-session/agent-session.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CompaniesModule } from './companies/companies.module.js';
import { AgentModule } from './agent/agent.module.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { CoherenceModule } from './coherence/coherence.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { RequestShapeInterceptor } from './common/request-shape.interceptor.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { Database } from './database/database.js';
import { DatabaseModule } from './database/database.module.js';
import { DebugModule } from './debug/debug.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { LookupModule } from './lookup/lookup.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TelephonyModule } from './telephony/telephony.module.js';
import { ProvisioningModule } from './provisioning/provisioning.module.js';
import { RedisModule } from './redis/redis.module.js';
import { TwilioModule } from './twilio/twilio.module.js';

@Module({})
export class AppModule {
  /** `config` replaces the environment and `database` the configured one (tests, scripts). */
  static forRoot(config?: AppConfig, database?: Database): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule,
        DatabaseModule.forRoot(database),
        RedisModule,
        CoherenceModule,
        AuthModule,
        LimitsModule,
        TwilioModule,
        LookupModule,
        DebugModule,
        HealthModule,
        AgentSessionModule,
        CompaniesModule,
        AgentModule,
        MessagingModule,
        ScheduleModule.forRoot(),
        TelephonyModule,
        ProvisioningModule,
        EventsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestShapeInterceptor },
      ],
    };
  }
}
