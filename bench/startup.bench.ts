import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../src/common/project-root.js';
import { machine, round } from './support.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Seconds from spawning the compiled API until /health answers 200. */
async function timeStart(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(projectRoot(), 'dist/src/main.js')], {
    env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'error' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    for (;;) {
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
    child.kill('SIGTERM');
    await exited;
  }
}

export interface StartupBenchResult {
  first_start_seconds: number;
  existing_data_folder_seconds: number[];
}

/** Start-up of the embedded default: a new data folder (migrations, seed), then three restarts on it. */
export async function benchStartup(): Promise<StartupBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'api-bench-start-'));
  try {
    const first = await timeStart(dir);
    const again: number[] = [];
    for (let i = 0; i < 3; i++) again.push(round(await timeStart(dir), 2));
    return { first_start_seconds: round(first, 2), existing_data_folder_seconds: again };
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
