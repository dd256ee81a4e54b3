import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started (Linux: clock ticks since boot), so a pid taken over by another program is told apart. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Locks this process holds, so a lock file naming our own pid that we did not write (a restarted container) is stale. */
const held = new Set<string>();

/**
 * Two APIs on one data folder would fight over its server, so the folder is locked: a file created exclusively,
 * holding the owner's pid and start time. A lock whose owner is gone, or whose pid now belongs to another process
 * (pids are reused, and a container's API is often the same pid after a restart), is stale and replaced.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'api.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim());
        closeSync(fd);
        held.add(path);
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const [pidText, started] = readFileSync(path, 'utf8').trim().split(/\s+/);
        const owner = Number(pidText);
        if (DataDirLock.isHeldBy(path, owner, started)) {
          throw new Error(
            `The embedded database in ${dataDir} is in use by process ${owner}. ` +
              'Stop that process, or set DATA_DIR to another folder (or DATABASE_URL to a PostgreSQL server).',
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw new Error(`Could not lock the embedded database folder ${dataDir}`);
  }

  private static isHeldBy(path: string, owner: number, started: string | undefined): boolean {
    if (!Number.isInteger(owner) || owner <= 0) return false;
    if (owner === process.pid) return held.has(path);
    if (!isAlive(owner)) return false;
    const now = startTimeOf(owner);
    return !started || !now || started === now;
  }

  release(): void {
    held.delete(this.path);
    rmSync(this.path, { force: true });
  }
}
