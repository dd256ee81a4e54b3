import { testConfig } from '../../test/support/test-config.js';
import { MemoryLogDestination } from './log-destination.js';
import { loggerParams } from './logging.module.js';

type Options = { transport?: { target: string }; level: string };

describe('loggerParams', () => {
  it('writes readable lines through pino-pretty in the pretty format', () => {
    const params = loggerParams(testConfig({ logFormat: 'pretty', logLevel: 'debug' }), null);
    const options = params.pinoHttp as Options;
    expect(options.transport?.target).toBe('pino-pretty');
    expect(options.level).toBe('debug');
  });

  it('writes JSON lines to standard output in the json format (production)', () => {
    const params = loggerParams(testConfig({ logFormat: 'json' }), null);
    expect((params.pinoHttp as Options).transport).toBeUndefined();
  });

  it('writes to a given destination instead, as JSON', () => {
    const destination = new MemoryLogDestination();
    const params = loggerParams(testConfig({ logFormat: 'pretty' }), destination);
    const [options, stream] = params.pinoHttp as [Options, unknown];
    expect(options.transport).toBeUndefined();
    expect(stream).toBe(destination);
  });
});
