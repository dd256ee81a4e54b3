import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { batchSchedulingPrefix } from './batch-scheduling.js';
import { isAlive } from './data-dir-lock.js';
import { openEmbeddedDatabase } from './embedded-postgres.js';
import { EmbeddedServer } from './embedded-server.js';

function postmasterPid(dir: string): number {
  return Number(readFileSync(join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

async function waitUntilDead(pid: number): Promise<void> {
  for (let i = 0; i < 400 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('the embedded PostgreSQL server', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'embedded-server-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps committed rows through a killed server, and stops a server left running by a killed API', { timeout: 120_000 }, async () => {
    const first = await openEmbeddedDatabase(dir);
    await first.pool.query('create table kept (n int)');
    await first.pool.query('insert into kept values (42)');
    const crashed = postmasterPid(dir);
    // the server dies without a checkpoint: what was committed must come back from the WAL
    process.kill(crashed, 'SIGKILL');
    await waitUntilDead(crashed);
    await first.close().catch(() => undefined);

    // a server started by an API that was then killed (nobody stops it) is found and stopped by the next start
    const orphan = await EmbeddedServer.start(dir);
    const orphanPid = postmasterPid(dir);
    expect(isAlive(orphanPid)).toBe(true);
    const second = await openEmbeddedDatabase(dir);
    try {
      expect(isAlive(orphanPid)).toBe(false);
      const { rows } = await second.pool.query('select n from kept');
      expect(rows).toEqual([{ n: 42 }]);
    } finally {
      await second.close();
      await orphan.stop();
    }
  });

  it('gives the API a connection over the socket file in its cluster folder, and tools the TCP port', { timeout: 120_000 }, async () => {
    const db = await openEmbeddedDatabase(dir);
    try {
      const { rows } = await db.pool.query<{ address: string | null; socket_dir: string }>(
        "select inet_server_addr()::text as address, current_setting('unix_socket_directories') as socket_dir",
      );
      // no server address: the connection is not over TCP
      expect(rows).toEqual([{ address: null, socket_dir: join(dir, 'postgres') }]);
      const port = Number(readFileSync(join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[3]);
      const tcp = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: readFileSync(join(dir, 'postgres.password'), 'utf8').trim() });
      await tcp.connect();
      try {
        expect((await tcp.query<{ address: string }>('select inet_server_addr()::text as address')).rows[0].address).toMatch(/^127\.0\.0\.1/);
      } finally {
        await tcp.end();
      }
    } finally {
      await db.close();
    }
  });

  // Linux only: the policy is read from /proc, and SCHED_BATCH is Linux's.
  it.runIf(existsSync('/proc/self/sched'))(
    'runs the server and its backends under the batch scheduling policy where chrt exists',
    { timeout: 120_000 },
    async () => {
      const db = await openEmbeddedDatabase(dir);
      try {
        const { rows } = await db.pool.query<{ pid: number }>('select pg_backend_pid() as pid');
        const policy = (pid: number): number => Number(/^policy\s*:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/sched`, 'utf8'))?.[1]);
        // 3 is SCHED_BATCH, 0 SCHED_OTHER (linux/sched.h); without chrt the server runs as everything else does
        const expected = batchSchedulingPrefix().length > 0 ? 3 : 0;
        expect(policy(postmasterPid(dir))).toBe(expected);
        expect(policy(rows[0].pid)).toBe(expected);
      } finally {
        await db.close();
      }
    },
  );

  it('starts over a stale postmaster.pid and socket lock file whose pid another process holds now', { timeout: 120_000 }, async () => {
    const db = await openEmbeddedDatabase(dir);
    await db.close();
    // the pid of a live process that is not a PostgreSQL server (this test runner)
    writeFileSync(join(dir, 'postgres', 'postmaster.pid'), `${process.pid}\n${join(dir, 'postgres')}\n0\n5432\n`);
    // a killed server's socket and its lock file (postgres refuses a lock file whose pid is alive)
    const staleLock = join(dir, 'postgres', '.s.PGSQL.5432.lock');
    writeFileSync(staleLock, `${process.pid}\n${join(dir, 'postgres')}\n`);
    writeFileSync(join(dir, 'postgres', '.s.PGSQL.5432'), '');
    const again = await openEmbeddedDatabase(dir);
    try {
      expect(isAlive(process.pid)).toBe(true);
      await expect(again.ping()).resolves.toBeUndefined();
      expect(existsSync(staleLock)).toBe(false);
    } finally {
      await again.close();
    }
  });
});
