import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock } from './data-dir-lock.js';
import { openEmbeddedDatabase } from './embedded-postgres.js';
import { readMigrations, runMigrations } from './migration-runner.js';
import { openTestDatabase } from '../../test/support/test-database.js';

describe('migrations', () => {
  it('are numbered uniquely and in order', () => {
    const versions = readMigrations().map((m) => m.version);
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort()).toEqual(versions);
  });

  it('run again apply nothing, and a changed migration is reported instead of re-run', async () => {
    const db = await openTestDatabase();
    try {
      expect(await runMigrations(db.pool)).toEqual([]);
      const changed = readMigrations().map((m, i) => (i === 1 ? { ...m, checksum: 'edited' } : m));
      await expect(runMigrations(db.pool, changed)).rejects.toThrow(/changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  it('roll a failing migration back whole and name it', async () => {
    const db = await openTestDatabase();
    try {
      const broken = { version: '9999', name: 'broken', checksum: 'x', sql: 'create table public.half_done (id int); select * from nowhere;' };
      await expect(runMigrations(db.pool, [...readMigrations(), broken])).rejects.toThrow(/9999_broken\.sql failed/);
      const { rows } = await db.pool.query(`select to_regclass('public.half_done') as t`);
      expect(rows[0].t).toBeNull();
    } finally {
      await db.close();
    }
  });
});

describe('the embedded data folder lock', () => {
  it('lets one process in, refuses a live second owner, and replaces a stale lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
    try {
      const lock = DataDirLock.acquire(dir);
      const { writeFileSync } = await import('node:fs');
      lock.release();
      // a lock left by a live process (our parent) is refused with a message saying what to do
      writeFileSync(join(dir, 'api.lock'), String(process.ppid));
      expect(() => DataDirLock.acquire(dir)).toThrow(/in use by process .* set DATA_DIR/);
      // a lock left by a dead process is taken over
      writeFileSync(join(dir, 'api.lock'), '999999999');
      DataDirLock.acquire(dir).release();
      // so is one naming our own pid that we did not take (a restarted container's API has the same pid)
      writeFileSync(join(dir, 'api.lock'), String(process.pid));
      const again = DataDirLock.acquire(dir);
      expect(() => DataDirLock.acquire(dir)).toThrow(/in use by process/);
      again.release();
      // and one naming a live pid that another program took over since (its start time differs)
      writeFileSync(join(dir, 'api.lock'), `${process.ppid} 1`);
      DataDirLock.acquire(dir).release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a second embedded database off an open data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedded-lock-'));
    const first = await openEmbeddedDatabase(dir);
    try {
      await expect(openEmbeddedDatabase(dir)).rejects.toThrow(/is in use by process/);
    } finally {
      await first.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
