import { execFileSync } from 'node:child_process';

let prefix: readonly string[] | undefined;

/**
 * The command prefix that runs a program under Linux's SCHED_BATCH policy (`chrt --batch 0`, which then execs it,
 * so its pid stays the program's), or nothing where that is unavailable (not Linux, no chrt in a slim image).
 *
 * The embedded server shares the API's cores. Each query wakes one of its backends, and a normally scheduled
 * backend may take the core at once, stalling the API in the middle of its write; a batch process waits for the
 * next scheduling point instead and still gets its full share of the CPU. On two cores this moved the signed
 * webhook from 0.37-0.40 of the bare route's throughput to 0.44-0.49 (README, benchmarks).
 */
export function batchSchedulingPrefix(): readonly string[] {
  if (prefix === undefined) {
    try {
      // A lower-priority policy needs no privilege; the probe tells whether chrt exists and the kernel agrees.
      execFileSync('chrt', ['--batch', '0', 'true'], { stdio: 'ignore', timeout: 5_000 });
      prefix = ['chrt', '--batch', '0'];
    } catch {
      prefix = [];
    }
  }
  return prefix;
}
