import { LoggerService } from '@nestjs/common';
import { QuietFrameworkLogger } from './quiet-framework-logger.js';

function recorder(): { logger: LoggerService; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (message: unknown, ...params: unknown[]) =>
      calls.push([level, [message, ...params]]);
  return { logger: { log: record('log'), debug: record('debug'), verbose: record('verbose'), warn: record('warn'), error: record('error') }, calls };
}

describe('QuietFrameworkLogger', () => {
  it("moves Nest's route map and module lines to debug", () => {
    const { logger, calls } = recorder();
    const quiet = new QuietFrameworkLogger(logger);
    quiet.log('Mapped {/health, GET} route', 'RouterExplorer');
    quiet.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(calls).toEqual([
      ['debug', ['Mapped {/health, GET} route', 'RouterExplorer']],
      ['debug', ['AppModule dependencies initialized', 'InstanceLoader']],
    ]);
  });

  it("keeps the app's own lines, and the framework's warnings and errors, where they were", () => {
    const { logger, calls } = recorder();
    const quiet = new QuietFrameworkLogger(logger);
    quiet.log({ event: 'demo_seeded' }, 'Demo company seeded', 'Database');
    quiet.warn('slow', 'RoutesResolver');
    quiet.error('broken', 'NestApplication');
    expect(calls.map(([level]) => level)).toEqual(['log', 'warn', 'error']);
  });
});
