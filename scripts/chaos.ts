// Fault injection: npm run chaos [-- --only <name>] [--rounds N]. Runs every scenario module dist/scripts/chaos/*.chaos.js
// (found by reading the folder, so new scenarios need no change here), prints each result and exits non-zero if any
// round failed.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  rounds?: number;
}

export interface ChaosResult {
  name: string;
  rounds: number;
  passed: number;
  failed: number;
  details: string[];
}

type Scenario = (options: ChaosOptions) => Promise<ChaosResult>;

const USAGE = 'usage: npm run chaos -- [--only <scenario>] [--rounds N]';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, rounds: { type: 'string' } } });
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1)) throw new Error(`--rounds must be a whole number from 1\n${USAGE}`);

  const folder = join(dirname(fileURLToPath(import.meta.url)), 'chaos');
  const available = readdirSync(folder)
    .filter((file) => file.endsWith('.chaos.js'))
    .sort()
    .map((file) => ({ name: file.slice(0, -'.chaos.js'.length), file: join(folder, file) }));
  const selected = values.only ? available.filter((s) => s.name === values.only) : available;
  if (selected.length === 0) {
    throw new Error(
      `No chaos scenario${values.only ? ` named ${values.only}` : ''}; there are: ${available.map((s) => s.name).join(', ') || 'none'}\n${USAGE}`,
    );
  }

  let failedRounds = 0;
  for (const { name, file } of selected) {
    const started = Date.now();
    let result: ChaosResult;
    try {
      const run = ((await import(pathToFileURL(file).href)) as { default: Scenario }).default;
      result = await run({ rounds });
    } catch (error) {
      // A scenario that cannot even run counts as failed: its rounds proved nothing.
      result = { name, rounds: 0, passed: 0, failed: 1, details: [`the scenario crashed: ${(error as Error).stack ?? String(error)}`] };
    }
    failedRounds += result.failed;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${result.failed === 0 ? 'PASS' : 'FAIL'} ${result.name}: ${result.passed}/${result.rounds} rounds passed, ${result.failed} failed (${seconds} s)`,
    );
    for (const line of result.details) console.log(`  ${line}`);
  }
  return failedRounds === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  },
);
