import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('starts over a stale postmaster.pid whose pid another process holds now', { timeout: 120_000 }, async () => {
    const db = await openEmbeddedDatabase(dir);
    await db.close();
    // the pid of a live process that is not a PostgreSQL server (this test runner)
    writeFileSync(join(dir, 'postgres', 'postmaster.pid'), `${process.pid}\n${join(dir, 'postgres')}\n0\n5432\n`);
    const again = await openEmbeddedDatabase(dir);
    try {
      expect(isAlive(process.pid)).toBe(true);
      await expect(again.ping()).resolves.toBeUndefined();
    } finally {
      await again.close();
    }
  });
});
