import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/api-process.js';

/** The compiled output these benches run from (dist/ after `nest build`): the API and helpers are beside them. */
const OUTPUT_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export interface Child {
  process: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Runs a compiled script (path under the output root, e.g. `src/main.js`) as its own process, on a free port. */
export async function spawnNode(script: string, args: string[], env: Record<string, string>, readyUrl?: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(OUTPUT_ROOT, script), ...args, '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if (readyUrl) {
        if ((await fetch(readyUrl.replace('PORT', String(port)))).status === 200) break;
      } else {
        await new Promise<void>((resolve, reject) => {
          const probe = connect(port, '127.0.0.1', () => (probe.end(), resolve()));
          probe.once('error', reject);
        });
        break;
      }
    } catch {
      /* not ready */
    }
    if (Date.now() - started > 120_000) throw new Error(`${script} did not start within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    process: child,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}
