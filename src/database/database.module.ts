import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from './database.js';
import { openDatabase } from './database.factory.js';

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Opens the configured database, or uses the one given (scripts and tests). */
  static forRoot(database?: Database): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        database
          ? { provide: Database, useValue: database }
          : { provide: Database, inject: [AppConfig], useFactory: (config: AppConfig) => openDatabase(config) },
      ],
      exports: [Database],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
