import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, freePort } from './support/api-process.js';

function start(port: number, dataDir: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

async function waitForHealth(port: number, deadline: number): Promise<Response> {
  for (;;) {
    try {
      return await fetch(`http://127.0.0.1:${port}/health`);
    } catch {
      if (Date.now() > deadline) throw new Error('no answer on /health in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function waitForOutput(output: () => string, pattern: RegExp, deadline: number): Promise<void> {
  while (!pattern.test(output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('npm start with no configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers /health, says what it defaulted to, and keeps a second process off its database', async () => {
    expect(existsSync(MAIN), 'build first: npm test runs nest build').toBe(true);
    const port = await freePort();
    const first = start(port, dataDir);
    try {
      const started = Date.now();
      const res = await waitForHealth(port, started + 60_000);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', database: 'embedded' });
      // the log is written asynchronously: /health may answer before the start-up summary reaches the pipe
      await waitForOutput(first.output, /development secret/, Date.now() + 30_000);
      expect(first.output()).toMatch(/Embedded database/);
      expect(first.output()).toMatch(/Demo company seeded/);
      expect(first.output()).toMatch(/development secret/);

      const second = start(await freePort(), dataDir);
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toMatch(/in use by process/);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  }, 90_000);

  it('starts again after being killed with its database server still running', async () => {
    const port = await freePort();
    const killed = start(port, dataDir);
    await waitForHealth(port, Date.now() + 60_000);
    // SIGKILL: no shutdown hook runs, so the lock file and the embedded server are left behind
    killed.child.kill('SIGKILL');
    await killed.exited;
    const againPort = await freePort();
    const again = start(againPort, dataDir);
    try {
      const res = await waitForHealth(againPort, Date.now() + 60_000);
      expect(res.status).toBe(200);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 120_000);
});
