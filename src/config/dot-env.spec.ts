import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadDotEnv } from './dot-env.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

describe('loadDotEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dot-env-'));
  const names = ['DOT_ENV_SPEC_FROM_FILE', 'DOT_ENV_SPEC_REAL', 'DOT_ENV_SPEC_EMPTY_REAL'];
  afterAll(() => {
    for (const name of names) delete process.env[name];
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the file into the environment, and the real environment wins over it', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'DOT_ENV_SPEC_FROM_FILE=from-file\nDOT_ENV_SPEC_REAL=from-file\nDOT_ENV_SPEC_EMPTY_REAL=from-file\n');
    process.env.DOT_ENV_SPEC_REAL = 'real';
    process.env.DOT_ENV_SPEC_EMPTY_REAL = '';
    expect(loadDotEnv(file)).toBe(file);
    expect(process.env.DOT_ENV_SPEC_FROM_FILE).toBe('from-file');
    expect(process.env.DOT_ENV_SPEC_REAL).toBe('real');
    expect(process.env.DOT_ENV_SPEC_EMPTY_REAL).toBe('');
  });

  it('does nothing without a file', () => {
    expect(loadDotEnv(join(dir, 'missing.env'))).toBeUndefined();
  });
});

describe('.env.example as an env file', () => {
  const example = parseEnv(readFileSync('.env.example', 'utf8'));

  it('sets no NODE_ENV, so the deployment decides', () => {
    expect(example.NODE_ENV).toBeUndefined();
  });

  it('gives the same development start as no settings at all', () => {
    const fromExample = loadConfig(example);
    const fromNothing = loadConfig({});
    expect(fromExample).toEqual(fromNothing);
  });

  it('refuses to start with NODE_ENV=production on the development defaults', () => {
    let problems: string[] = [];
    try {
      loadConfig({ ...example, NODE_ENV: 'production' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems.join('\n')).toMatch(/refusing the development JWT secret/);
    expect(problems.join('\n')).toMatch(/TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
  });
});
