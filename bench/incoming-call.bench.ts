// npm run bench -- incoming (or node dist/bench/incoming-call.bench.js): the signed incoming-call webhook against a
// bare TwiML route of the same app, with the API in a process of its own (bench/incoming-call.app.ts) as `npm start`
// runs it, and this process only the load generator.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { DEVELOPMENT_TWILIO_ACCOUNT_SID } from '../src/config/app-config.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { cpuSeconds, spawnNode } from './bench-processes.js';
import { benchDatabases, machine, percentiles, round } from './support.js';

const PUBLIC_BASE_URL = 'https://bench.example';
const AUTH_TOKEN = 'bench-twilio-auth-token-0123456789';
const COMPANY_ID = '00000000-0000-4000-8000-00000000b001';
const NUMBER = '+525500000001';
const THROUGHPUT_REQUESTS = 3000;
const IN_FLIGHT = 16;
/** Requests per route before the clock starts: V8 compiles a route's path only after some thousand requests. */
const WARM_UP = 2000;
const ROUNDS = 6;
const RATE_PER_SECOND = 200;
/** Long enough for the p99 to hold a steady 200 a second's garbage collections in their proportion. */
const RATE_SECONDS = 20;

interface RouteResult {
  throughput_per_second: number;
  /** The API process's CPU per request in the closed loop. */
  api_cpu_ms_per_request: number;
  /** The load generator's (this process's) CPU per request in the closed loop. */
  load_generator_cpu_ms_per_request: number;
  /** The CPU of the database server's backends serving the API, per request in the closed loop (same machine). */
  database_cpu_ms_per_request: number;
  at_200_per_second: { sent: number; p50_ms: number; p99_ms: number; max_ms: number };
}

export interface IncomingCallBenchResult {
  database: string;
  incoming: RouteResult;
  bare: RouteResult;
  /** Incoming-call throughput as a share of the bare route's (target ≥ 0.5). */
  throughput_ratio: number;
}

interface Prepared {
  path: string;
  body: string;
  signature: string;
}

/** Signed webhooks, one fresh CallSid each, prepared before the clock starts (signing is Twilio's work, not ours). */
function prepare(count: number, path: string): Prepared[] {
  return Array.from({ length: count }, () => {
    const params: Record<string, string> = {
      AccountSid: DEVELOPMENT_TWILIO_ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: '+525598765432',
      To: NUMBER,
      ToCountry: 'MX',
    };
    const signature = signTwilioRequest(AUTH_TOKEN, `${PUBLIC_BASE_URL}${path}`, params);
    return { path, body: new URLSearchParams(params).toString(), signature };
  });
}

function post(port: number, agent: Agent, r: Prepared): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: r.path,
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': r.signature, 'content-length': Buffer.byteLength(r.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${r.path} answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

interface LoopCost {
  ms: number;
  apiCpuMs: number;
  ownCpuMs: number;
  databaseCpuMs: number;
}

/** CPU seconds of a set of processes; one that has exited counts no more. */
function cpuSecondsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(pid);
    } catch {
      return sum;
    }
  }, 0);
}

/** Closed-loop requests to one route, IN_FLIGHT at a time: elapsed time, and the CPU time of each process. */
async function closedLoop(api: Api, agent: Agent, requests: Prepared[]): Promise<LoopCost> {
  let next = 0;
  const backends = await api.backendPids();
  const db0 = cpuSecondsOf(backends);
  const api0 = cpuSeconds(api.pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) await post(api.port, agent, requests[next++]);
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    ms,
    apiCpuMs: (cpuSeconds(api.pid) - api0) * 1000,
    ownCpuMs: (cpu.user + cpu.system) / 1000,
    databaseCpuMs: (cpuSecondsOf(backends) - db0) * 1000,
  };
}

/** Open loop: requests leave on schedule whatever the answers do, so queueing shows in the latency. */
async function paced(api: Api, agent: Agent, path: string): Promise<RouteResult['at_200_per_second']> {
  const requests = prepare(RATE_PER_SECOND * RATE_SECONDS, path);
  const start = performance.now();
  const latencies = await Promise.all(
    requests.map(async (r, i) => {
      const due = start + (i * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return post(api.port, agent, r);
    }),
  );
  const p = percentiles(latencies);
  return { sent: requests.length, p50_ms: p.p50, p99_ms: p.p99, max_ms: p.max };
}

interface Api {
  pid: number;
  port: number;
  /** The database server's processes serving the API's pool (its connections are opened during the warm-up). */
  backendPids(): Promise<number[]>;
}

/**
 * Both routes, measured alike: warmed until the JIT has compiled their paths, then closed-loop rounds that alternate
 * between them (this machine's speed drifts over seconds; alternating gives both routes the same drift), then each
 * at 200 requests a second.
 */
async function measureBoth(api: Api, paths: { incoming: string; bare: string }): Promise<{ incoming: RouteResult; bare: RouteResult }> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT * 2 });
  try {
    const routes = Object.keys(paths) as Array<keyof typeof paths>;
    for (const route of routes) await closedLoop(api, agent, prepare(WARM_UP, paths[route]));
    const zero = (): LoopCost => ({ ms: 0, apiCpuMs: 0, ownCpuMs: 0, databaseCpuMs: 0 });
    const totals: Record<keyof typeof paths, LoopCost> = { incoming: zero(), bare: zero() };
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of round % 2 === 0 ? routes : [...routes].reverse()) {
        const cost = await closedLoop(api, agent, prepare(THROUGHPUT_REQUESTS / ROUNDS, paths[route]));
        totals[route].ms += cost.ms;
        totals[route].apiCpuMs += cost.apiCpuMs;
        totals[route].ownCpuMs += cost.ownCpuMs;
        totals[route].databaseCpuMs += cost.databaseCpuMs;
      }
    }
    const result = (route: keyof typeof paths, at200: RouteResult['at_200_per_second']): RouteResult => ({
      throughput_per_second: Math.round(THROUGHPUT_REQUESTS / (totals[route].ms / 1000)),
      api_cpu_ms_per_request: round(totals[route].apiCpuMs / THROUGHPUT_REQUESTS),
      load_generator_cpu_ms_per_request: round(totals[route].ownCpuMs / THROUGHPUT_REQUESTS),
      database_cpu_ms_per_request: round(totals[route].databaseCpuMs / THROUGHPUT_REQUESTS),
      at_200_per_second: at200,
    });
    const incoming = result('incoming', await paced(api, agent, paths.incoming));
    const bare = result('bare', await paced(api, agent, paths.bare));
    return { incoming, bare };
  } finally {
    agent.destroy();
  }
}

async function seed(db: PgDatabase): Promise<void> {
  await db.pool.query('insert into public.companies (id, name) values ($1, $2)', [COMPANY_ID, 'Bench company']);
  await db.pool.query('insert into public.phone_numbers (phone_number, company_id) values ($1, $2)', [NUMBER, COMPANY_ID]);
  await db.pool.query("insert into public.agent_configs (company_id, greeting, language) values ($1, 'Hola, ¿en qué le ayudo?', 'es-MX')", [COMPANY_ID]);
}

/** Signed `POST /voice/incoming` against a bare TwiML route in the same app, on each database. */
export async function benchIncomingCall(): Promise<IncomingCallBenchResult[]> {
  const results: IncomingCallBenchResult[] = [];
  for (const { label, db, url, dispose } of await benchDatabases()) {
    try {
      await seed(db);
      const env = {
        BENCH_DATABASE_URL: url,
        BENCH_DATABASE_KIND: label,
        PUBLIC_BASE_URL,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      };
      const child = await spawnNode('bench/incoming-call.app.js', [], env, 'http://127.0.0.1:PORT/health');
      try {
        const backendPids = async (): Promise<number[]> => {
          const { rows } = await db.pool.query<{ pid: number }>(
            "select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()",
          );
          return rows.map((r) => r.pid);
        };
        const api = { pid: child.process.pid ?? 0, port: child.port, backendPids };
        const { incoming, bare } = await measureBoth(api, { incoming: `/voice/incoming/${COMPANY_ID}`, bare: '/bench/bare-twiml' });
        const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from public.call_sessions');
        if (rows[0].n < THROUGHPUT_REQUESTS) throw new Error(`only ${rows[0].n} sessions were written: the webhook did not do its work`);
        results.push({ database: label, incoming, bare, throughput_ratio: round(incoming.throughput_per_second / bare.throughput_per_second, 2) });
      } finally {
        await child.stop();
      }
    } finally {
      await dispose();
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`incoming-call benchmark on ${machine()}\n`);
  benchIncomingCall()
    .then((r) => {
      for (const x of r) {
        process.stdout.write(
          `${x.database}: incoming ${x.incoming.throughput_per_second}/s vs bare ${x.bare.throughput_per_second}/s (ratio ${x.throughput_ratio}); ` +
            `API CPU per request ${x.incoming.api_cpu_ms_per_request} vs ${x.bare.api_cpu_ms_per_request} ms ` +
            `(database ${x.incoming.database_cpu_ms_per_request}, load generator ${x.incoming.load_generator_cpu_ms_per_request}); ` +
            `p99 at 200/s: incoming ${x.incoming.at_200_per_second.p99_ms} ms, bare ${x.bare.at_200_per_second.p99_ms} ms\n`,
        );
      }
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
}
