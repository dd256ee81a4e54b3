import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const haproxyInstalled = (): boolean => spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;

/** Health-check timings: a server is out of rotation at most `interMs × fall` (+ one check) after `/health` turns 503. */
export const HEALTH_CHECK = { interMs: 1_000, fall: 2, rise: 2 } as const;

/**
 * The configuration docs/deploy.md recommends, minus TLS: round robin, `/health` checks, WebSocket upgrades passing
 * (HTTP mode handles them; `timeout tunnel` bounds an idle call), and a request whose connection fails or is closed
 * without an answer tried again on another server. Each answer says which server gave it (`X-Served-By`).
 */
export function haproxyConfig(port: number, servers: { name: string; port: number }[]): string {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 2s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    'frontend phone_agent',
    `  bind 127.0.0.1:${port}`,
    '  default_backend phone_agent_api',
    'backend phone_agent_api',
    '  balance roundrobin',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    '  http-response set-header X-Served-By %s',
    `  default-server inter ${HEALTH_CHECK.interMs}ms fall ${HEALTH_CHECK.fall} rise ${HEALTH_CHECK.rise}`,
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`),
    '',
  ].join('\n');
}

/** HAProxy from the system's package, in the foreground, on a configuration written to a temporary folder. */
export class HaproxyProcess {
  private log = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
  }

  static async start(port: number, servers: { name: string; port: number }[]): Promise<HaproxyProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-'));
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, haproxyConfig(port, servers));
    const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy refused its configuration:\n${check.stdout}${check.stderr}`);
    const proxy = new HaproxyProcess(spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }), dir, port);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(`${proxy.url}/health`)).status === 200) return proxy;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`haproxy did not start:\n${proxy.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  output(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
