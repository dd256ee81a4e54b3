import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from './database.js';
import { openDatabase } from './database.factory.js';

/** Set when the module opened the database itself, and so must close it. */
const OWNS_DATABASE = Symbol('OWNS_DATABASE');

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Optional() @Inject(OWNS_DATABASE) private readonly ownsDatabase?: boolean,
  ) {}

  /** Opens the configured database, or uses the one given (scripts and tests), which its owner closes. */
  static forRoot(database?: Database): DynamicModule {
    return {
      module: DatabaseModule,
      providers: database
        ? [{ provide: Database, useValue: database }]
        : [
            { provide: Database, inject: [AppConfig], useFactory: (config: AppConfig) => openDatabase(config) },
            { provide: OWNS_DATABASE, useValue: true },
          ],
      exports: [Database],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownsDatabase) await this.db.close();
  }
}
