import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Controller, Header, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';
import { DEVELOPMENT_TWILIO_ACCOUNT_SID } from '../src/config/app-config.js';
import { Public } from '../src/auth/auth.decorators.js';
import { AppConfig } from '../src/config/app-config.js';
import { loadConfig } from '../src/config/load-config.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
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
/**
 * Long enough for the p99 to hold the garbage collections of a steady 200 a second in their proportion: over 5 s a
 * single major collection (one burst of ~100 ms, left by the closed-loop phase) decided the p99 on its own.
 */
const RATE_SECONDS = 20;

const FIXED_TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://bench.example/voice/connect-action">' +
  '<ConversationRelay url="wss://bench.example/conversation-relay" language="es-MX"><Parameter name="token" value="x"/></ConversationRelay></Connect></Response>';

/** The baseline, only in this harness: the same app and HTTP stack, no signature, no database, fixed TwiML. */
@Controller('bench')
class BareTwimlController {
  @Post('bare-twiml')
  @Public()
  // Twilio's body type, as on the webhooks: a JSON-only route would answer 415.
  @ApiConsumes('application/x-www-form-urlencoded')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  bareTwiml(): string {
    return FIXED_TWIML;
  }
}

interface RouteResult {
  throughput_per_second: number;
  /** This process's CPU (the API and the load generator together) per request in the closed loop. */
  node_cpu_ms_per_request: number;
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
    return { path, body: new URLSearchParams(params).toString(), signature: signTwilioRequest(AUTH_TOKEN, `${PUBLIC_BASE_URL}${path}`, params) };
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

/** Closed-loop requests to one route, IN_FLIGHT at a time: elapsed time and this process's CPU time. */
async function closedLoop(port: number, agent: Agent, requests: Prepared[]): Promise<{ ms: number; cpuMs: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) await post(port, agent, requests[next++]);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Open loop: requests leave on schedule whatever the answers do, so queueing shows in the latency. */
async function paced(port: number, agent: Agent, path: string): Promise<RouteResult['at_200_per_second']> {
  const requests = prepare(RATE_PER_SECOND * RATE_SECONDS, path);
  const start = performance.now();
  const latencies = await Promise.all(
    requests.map(async (r, i) => {
      const due = start + (i * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return post(port, agent, r);
    }),
  );
  const p = percentiles(latencies);
  return { sent: requests.length, p50_ms: p.p50, p99_ms: p.p99, max_ms: p.max };
}

/**
 * Both routes, measured alike: warmed until the JIT has compiled their paths, then closed-loop rounds that alternate
 * between them (this machine's speed drifts over seconds; alternating gives both routes the same drift), then each
 * at 200 requests a second.
 */
async function measureBoth(port: number, paths: { incoming: string; bare: string }): Promise<{ incoming: RouteResult; bare: RouteResult }> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT * 2 });
  try {
    const routes = Object.keys(paths) as Array<keyof typeof paths>;
    for (const route of routes) await closedLoop(port, agent, prepare(WARM_UP, paths[route]));
    const totals = { incoming: { ms: 0, cpuMs: 0 }, bare: { ms: 0, cpuMs: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of round % 2 === 0 ? routes : [...routes].reverse()) {
        const { ms, cpuMs } = await closedLoop(port, agent, prepare(THROUGHPUT_REQUESTS / ROUNDS, paths[route]));
        totals[route].ms += ms;
        totals[route].cpuMs += cpuMs;
      }
    }
    const result = (route: keyof typeof paths, at200: RouteResult['at_200_per_second']): RouteResult => ({
      throughput_per_second: Math.round(THROUGHPUT_REQUESTS / (totals[route].ms / 1000)),
      node_cpu_ms_per_request: round(totals[route].cpuMs / THROUGHPUT_REQUESTS),
      at_200_per_second: at200,
    });
    const incoming = result('incoming', await paced(port, agent, paths.incoming));
    const bare = result('bare', await paced(port, agent, paths.bare));
    return { incoming, bare };
  } finally {
    agent.destroy();
  }
}

function benchConfig(): AppConfig {
  // One load generator is one source address: the per-address limit of Twilio-facing routes would cut it off.
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    PRICE_BACKFILL_ENABLED: 'false',
    RATE_LIMIT_TWILIO: '0',
    RATE_LIMIT_API: '0',
  });
  return { ...config, demoSeed: false };
}

async function seed(db: PgDatabase): Promise<void> {
  await db.pool.query('insert into public.companies (id, name) values ($1, $2)', [COMPANY_ID, 'Bench company']);
  await db.pool.query('insert into public.phone_numbers (phone_number, company_id) values ($1, $2)', [NUMBER, COMPANY_ID]);
  await db.pool.query("insert into public.agent_configs (company_id, greeting, language) values ($1, 'Hola, ¿en qué le ayudo?', 'es-MX')", [COMPANY_ID]);
}

/** Signed `POST /voice/incoming` against a bare TwiML route in the same app, on each database. */
export async function benchIncomingCall(): Promise<IncomingCallBenchResult[]> {
  const results: IncomingCallBenchResult[] = [];
  for (const { label, db, dispose } of await benchDatabases()) {
    let app: NestExpressApplication | undefined;
    try {
      await seed(db);
      // The app gets the database on loan: its shutdown must not close what dispose() closes and drops.
      const borrowed = Object.create(db, { close: { value: async (): Promise<void> => undefined } }) as PgDatabase;
      @Module({ imports: [AppModule.forRoot(benchConfig(), borrowed)], controllers: [BareTwimlController] })
      class BenchAppModule {}
      app = await NestFactory.create<NestExpressApplication>(BenchAppModule, { logger: false, rawBody: true, abortOnError: false });
      configureApp(app);
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const { incoming, bare } = await measureBoth(port, { incoming: `/voice/incoming/${COMPANY_ID}`, bare: '/bench/bare-twiml' });
      const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from public.call_sessions');
      if (rows[0].n < THROUGHPUT_REQUESTS) throw new Error(`only ${rows[0].n} sessions were written: the webhook did not do its work`);
      results.push({ database: label, incoming, bare, throughput_ratio: round(incoming.throughput_per_second / bare.throughput_per_second, 2) });
    } finally {
      if (app) await app.close();
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
            `CPU here per request ${x.incoming.node_cpu_ms_per_request} vs ${x.bare.node_cpu_ms_per_request} ms; ` +
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
