import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { Database } from './database/database.js';
import { DatabaseModule } from './database/database.module.js';
import { DebugModule } from './debug/debug.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { LookupModule } from './lookup/lookup.module.js';
import { TwilioModule } from './twilio/twilio.module.js';

@Module({})
export class AppModule {
  /** `config` replaces the environment and `database` the configured one (tests, scripts). */
  static forRoot(config?: AppConfig, database?: Database): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, DatabaseModule.forRoot(database), AuthModule, TwilioModule, LookupModule, DebugModule, HealthModule],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
