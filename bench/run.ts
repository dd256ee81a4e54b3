// npm run bench [-- lookup retrieval incoming media relay startup]: runs the benchmarks of DESIGN §9 one after
// another (so they never compete for the two cores), prints each result and writes them all to bench/results.json.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';
import { benchIncomingCall } from './incoming-call.bench.js';
import { benchLookup } from './lookup.bench.js';
import { benchMediaGateway } from './media-gateway.bench.js';
import { benchRelayFirstToken } from './relay-first-token.bench.js';
import { benchRetrieval } from './retrieval.bench.js';
import { benchStartup } from './startup.bench.js';
import { machine, round } from './support.js';

const BENCHES: Record<string, () => Promise<unknown>> = {
  lookup: benchLookup,
  retrieval: benchRetrieval,
  incoming: benchIncomingCall,
  relay: benchRelayFirstToken,
  media: () => benchMediaGateway(),
  startup: benchStartup,
};

async function main(): Promise<void> {
  const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = chosen.filter((name) => !(name in BENCHES));
  if (unknown.length) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  const names = chosen.length ? chosen : Object.keys(BENCHES);
  // The machine may be shared: the 1-minute load average before and after each benchmark says how much it was.
  const load: Record<string, { before: number; after: number }> = {};
  const results: Record<string, unknown> = { machine: machine(), date: new Date().toISOString(), load_average_1min: load };
  process.stdout.write(`Benchmarks on ${results.machine}\n`);
  for (const name of names) {
    process.stdout.write(`\n== ${name} ==\n`);
    const started = performance.now();
    const before = round(loadavg()[0], 2);
    results[name] = await BENCHES[name]();
    load[name] = { before, after: round(loadavg()[0], 2) };
    process.stdout.write(
      `${JSON.stringify(results[name], null, 2)}\n(${Math.round((performance.now() - started) / 1000)} s; load average ${before} → ${load[name].after})\n`,
    );
  }
  writeFileSync(join(projectRoot(), 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
