import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** What `npm start` runs after building. */
export const MAIN = 'dist/src/main.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The built API as its own process (`node dist/src/main.js`), configured only through its environment. */
export class ApiProcess {
  private log = '';
  /** How the process ended: an exit code, or the signal that ended it (Nest re-raises SIGTERM after its shutdown hooks). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  private constructor(
    readonly name: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts it and waits until its `/health` answers 200. */
  static async start(name: string, port: number, env: Record<string, string>, timeoutMs = 60_000): Promise<ApiProcess> {
    const api = new ApiProcess(name, port, env);
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void api.exited.then(() => (exited = true));
    for (;;) {
      try {
        if ((await fetch(`${api.url}/health`)).status === 200) return api;
      } catch {
        // not listening yet
      }
      if (exited || Date.now() > deadline) throw new Error(`${name} did not become healthy:\n${api.output().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.log;
  }

  /** The JSON log lines with this `event`. */
  events(event: string): Record<string, unknown>[] {
    return this.log
      .split('\n')
      .filter((line) => line.includes(`"${event}"`))
      .flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          return parsed.event === event ? [parsed] : [];
        } catch {
          return [];
        }
      });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
