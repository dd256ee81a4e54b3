import { pathToFileURL } from 'node:url';
import type { CacheNotices } from '../src/coherence/cache-notices.service.js';
import { PhoneNumberResolver } from '../src/lookup/phone-number-resolver.js';
import { benchDatabases, machine, percentiles, round } from './support.js';

const NUMBERS = 100_000;
const SEQUENTIAL = 20_000;
const CONCURRENT = 20_000;
const IN_FLIGHT = 8;

export interface LookupBenchResult {
  database: string;
  numbers: number;
  uncached_sequential: { per_second: number; p50_ms: number; p99_ms: number };
  uncached_concurrent: { in_flight: number; per_second: number; p99_ms: number };
  cached: { per_second: number; p99_ms: number };
}

/** Lookups per second and latency through `resolve_phone_number` at 100,000 numbers, on each database. */
export async function benchLookup(): Promise<LookupBenchResult[]> {
  const results: LookupBenchResult[] = [];
  for (const { label, db, dispose } of await benchDatabases()) {
    try {
      await db.pool.query(`insert into public.companies (id, name)
        select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'Bench company ' || i from generate_series(1, 1000) i`);
      await db.pool.query(`insert into public.phone_numbers (phone_number, company_id, webhook_state)
        select '+5255' || lpad(i::text, 8, '0'), ('00000000-0000-4000-8000-' || lpad((1 + i % 1000)::text, 12, '0'))::uuid, 'configured'
          from generate_series(1, ${NUMBERS}) i`);
      await db.pool.query(`insert into public.phone_number_users (phone_number, user_id, company_id)
        select '+5255' || lpad(i::text, 8, '0'), gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad((1 + i % 1000)::text, 12, '0'))::uuid
          from generate_series(1, ${NUMBERS}, 2) i`);
      await db.pool.query('analyze');
      const number = (i: number): string => `+5255${String(1 + ((i * 7919) % NUMBERS)).padStart(8, '0')}`;

      // A single process: no other instance to hear from, so the cache keeps its long lifetime.
      const quiet = { live: true, on: () => () => true, publish: () => undefined } as unknown as CacheNotices;
      const uncached = new PhoneNumberResolver(db, quiet);
      for (let i = 0; i < 500; i++) await db.call('resolve_phone_number', { p_phone_number: number(i) });
      const samples: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < SEQUENTIAL; i++) {
        const s = performance.now();
        const found = await db.call<'resolve_phone_number', { company_id: string } | null>('resolve_phone_number', { p_phone_number: number(i) });
        samples.push(performance.now() - s);
        if (!found) throw new Error(`lookup missed ${number(i)}`);
      }
      const seqSeconds = (performance.now() - t0) / 1000;
      const seq = percentiles(samples);

      const concurrentSamples: number[] = [];
      let next = 0;
      const c0 = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < CONCURRENT) {
            const i = next++;
            const s = performance.now();
            await db.call('resolve_phone_number', { p_phone_number: number(i) });
            concurrentSamples.push(performance.now() - s);
          }
        }),
      );
      const concSeconds = (performance.now() - c0) / 1000;

      const hot = Array.from({ length: 1000 }, (_, i) => number(i));
      for (const n of hot) await uncached.resolveNormalized(n);
      const cachedSamples: number[] = [];
      const k0 = performance.now();
      for (let i = 0; i < SEQUENTIAL; i++) {
        const s = performance.now();
        await uncached.resolveNormalized(hot[i % hot.length]);
        cachedSamples.push(performance.now() - s);
      }
      const cachedSeconds = (performance.now() - k0) / 1000;

      results.push({
        database: label,
        numbers: NUMBERS,
        uncached_sequential: { per_second: Math.round(SEQUENTIAL / seqSeconds), p50_ms: seq.p50, p99_ms: seq.p99 },
        uncached_concurrent: { in_flight: IN_FLIGHT, per_second: Math.round(CONCURRENT / concSeconds), p99_ms: percentiles(concurrentSamples).p99 },
        cached: { per_second: Math.round(SEQUENTIAL / cachedSeconds), p99_ms: round(percentiles(cachedSamples).p99, 4) },
      });
    } finally {
      await dispose();
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`lookup benchmark on ${machine()}\n`);
  benchLookup()
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
