import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { loadConfig } from './load-config.js';

@Global()
@Module({})
export class ConfigModule {
  /** Validates the environment once; tests pass a ready configuration instead. */
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useFactory: (): AppConfig => config ?? loadConfig() }],
      exports: [AppConfig],
    };
  }
}
