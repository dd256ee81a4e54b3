// npm run bench [-- lookup retrieval incoming media relay startup]: runs the benchmarks of DESIGN §9 one after
// another (so they never compete for the two cores), prints each result and writes them all to bench/results.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';
import { benchIncomingCall } from './incoming-call.bench.js';
import { benchLookup } from './lookup.bench.js';
import { benchMediaGateway } from './media-gateway.bench.js';
import { benchRelayFirstToken } from './relay-first-token.bench.js';
import { benchRetrieval } from './retrieval.bench.js';
import { benchStartup } from './startup.bench.js';
import { machine } from './support.js';

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
  const results: Record<string, unknown> = { machine: machine(), date: new Date().toISOString() };
  process.stdout.write(`Benchmarks on ${results.machine}\n`);
  for (const name of names) {
    process.stdout.write(`\n== ${name} ==\n`);
    const started = performance.now();
    results[name] = await BENCHES[name]();
    process.stdout.write(`${JSON.stringify(results[name], null, 2)}\n(${Math.round((performance.now() - started) / 1000)} s)\n`);
  }
  writeFileSync(join(projectRoot(), 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
