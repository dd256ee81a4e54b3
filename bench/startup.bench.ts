import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../src/common/project-root.js';
import { freePort } from '../test/support/api-process.js';
import { machine, round } from './support.js';

const STAMP = join(projectRoot(), 'dist', '.build-stamp');
const stampTime = (): number => (existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0);

/**
 * Seconds from running `npm start` (the stale-build check, then the compiled API) until /health answers 200.
 * npm and the API run in a process group of their own, stopped together; the embedded PostgreSQL server is
 * detached in its own group and stopped by the API as it closes.
 */
async function timeStart(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'error' },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status === 200) return (performance.now() - started) / 1000;
      } catch {
        /* not listening yet */
      }
      if (performance.now() - started > 120_000) throw new Error('the API did not start within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

export interface StartupBenchResult {
  /** `npm start` on a new data folder: the cluster is created, migrated and seeded. */
  first_start_seconds: number;
  /** `npm start` again on that folder, three times (the DESIGN §9 target: ≤ 5 s). */
  existing_data_folder_seconds: number[];
  /** Whether any of these starts ran `nest build` (it must not: no source changed). */
  rebuilt: boolean;
}

/** `npm start` of the embedded default on an unchanged tree: a new data folder (migrations, seed), then three restarts on it. */
export async function benchStartup(): Promise<StartupBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'api-bench-start-'));
  try {
    const stampBefore = stampTime();
    if (!stampBefore) throw new Error('no dist/.build-stamp: build first (npm run bench does)');
    const first = await timeStart(dir);
    const again: number[] = [];
    for (let i = 0; i < 3; i++) again.push(round(await timeStart(dir), 2));
    return { first_start_seconds: round(first, 2), existing_data_folder_seconds: again, rebuilt: stampTime() !== stampBefore };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`start-up benchmark on ${machine()}\n`);
  benchStartup()
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
