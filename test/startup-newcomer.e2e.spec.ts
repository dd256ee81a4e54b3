import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './support/api-process.js';

/** What `npm start` runs after building, by absolute path so that a test can choose the working directory. */
const MAIN = resolve('dist/src/main.js');
const DEMO_USER = '00000000-0000-4000-8000-0000000000aa';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>, options: { cwd?: string; args?: string[] } = {}): Run {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, [...(options.args ?? []), MAIN], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the API until its start-up summary is written, then stops it; returns everything it wrote. */
async function startAndStop(env: Record<string, string>): Promise<string> {
  const api = run(env);
  try {
    await until(() => /"event":"started"/.test(api.stdout()) || api.child.exitCode !== null, 'the start-up summary');
    expect(api.child.exitCode, api.stderr()).toBeNull();
  } finally {
    api.child.kill('SIGTERM');
    await api.exited;
  }
  return api.stdout();
}

const startedRecord = (output: string): { msg: string } =>
  JSON.parse(output.split('\n').find((line) => line.includes('"event":"started"'))!) as { msg: string };

describe("the newcomer's start", () => {
  beforeAll(() => expect(existsSync(MAIN), 'build first: npm test runs nest build').toBe(true));

  describe('start-up log', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'api-newcomer-'));
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('is a short summary with the docs URL, the demo number and user and the token command; it says "seeded" only when it seeded', async () => {
      const env = { PORT: String(await freePort()), DATA_DIR: dataDir, LOG_FORMAT: 'json' };
      const first = await startAndStop(env);
      const summary = startedRecord(first).msg;
      expect(summary).toContain(`http://localhost:${env.PORT}/docs`);
      expect(summary).toContain('+525512345678');
      expect(summary).toContain(DEMO_USER);
      expect(summary).toContain(`npm run -s token -- --sub ${DEMO_USER} --admin`);
      expect(summary).toMatch(/development secret/);
      // Nest's route map and module lines are at debug: the whole start fits on a screen.
      expect(first).not.toMatch(/Mapped \{/);
      expect(first).not.toMatch(/dependencies initialized/);
      expect(first.trim().split('\n').length).toBeLessThan(15);
      expect(first.split('\n').filter((line) => /seeded/i.test(line))).toHaveLength(1);

      const second = await startAndStop(env);
      expect(startedRecord(second).msg).toContain('+525512345678');
      expect(second).not.toMatch(/seeded/i);
    }, 150_000);

    it('shows the route map at LOG_LEVEL=debug', async () => {
      const output = await startAndStop({ PORT: String(await freePort()), DATA_DIR: dataDir, LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
      expect(output).toMatch(/Mapped \{\/health, GET\} route/);
    }, 90_000);
  });

  it('says in one line that the port is in use, and exits', async () => {
    const blocker: Server = await new Promise((done) => {
      const server = createServer().listen(0, () => done(server));
    });
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'api-port-'));
    try {
      const api = run({ PORT: String(port), DATA_DIR: dataDir });
      expect(await api.exited).toBe(1);
      expect(api.stderr()).toBe(`Port ${port} is already in use by another process: stop it, or set PORT to a free port.\n`);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('.env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-dotenv-'));
    beforeAll(() => writeFileSync(join(dir, '.env'), 'PORT=from-dot-env\nOPENAI_BASE_URL=ftp://from-dot-env\n'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is read from the working directory at start', async () => {
      const api = run({}, { cwd: dir });
      expect(await api.exited).toBe(1);
      expect(api.stderr()).toContain('PORT must be a whole number from 0 to 65535, got "from-dot-env"');
      expect(api.stderr()).toContain('OPENAI_BASE_URL must be a http: or https: URL, got "ftp:"');
    });

    it('loses to the real environment', async () => {
      const api = run({ PORT: 'from-environment' }, { cwd: dir });
      expect(await api.exited).toBe(1);
      expect(api.stderr()).toContain('got "from-environment"');
      expect(api.stderr()).not.toContain('got "from-dot-env"');
    });
  });

  it('refuses production on .env.example used as the env file', async () => {
    const api = run({ NODE_ENV: 'production' }, { args: ['--env-file=.env.example'] });
    expect(await api.exited).toBe(1);
    expect(api.stderr()).toMatch(/refusing the development JWT secret/);
    expect(api.stderr()).toMatch(/embedded database is for development/);
  });
});
