// npm run bench (or node dist/bench/relay-first-token.bench.js [--entries 10000] [--prompts 500]):
// ConversationRelay prompt → first `text` token, through the gateway and the voice brain, with the demo company's
// knowledge base grown to 10,000 entries. The API runs as its own process on an embedded database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { AppConfig } from '../src/config/app-config.js';
import { prepare } from '../src/database/database.factory.js';
import { openEmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { spawnNode } from './bench-processes.js';
import { machine, percentiles, round } from './support.js';

const DEMO_COMPANY_ID = '00000000-0000-4000-8000-000000000001';
const SESSION_SECRET = 'bench-session-token-secret-0123456789-abcdef';

export interface RelayFirstTokenBenchResult {
  entries: number;
  prompts: number;
  first_token_ms: { p50: number; p99: number; max: number };
  full_answer_ms: { p50: number; p99: number };
}

const TOPICS = ['limpieza', 'ortodoncia', 'blanqueamiento', 'endodoncia', 'implantes', 'resinas', 'coronas', 'extracciones', 'brackets', 'guardas'];
const QUESTIONS = [
  '¿Cuánto cuesta una limpieza dental?',
  '¿Cuál es el horario de la clínica?',
  '¿Dónde está la clínica?',
  '¿Aceptan seguros médicos?',
  '¿Cómo agendo una cita?',
  '¿Cuánto cuestan los implantes número 42?',
  '¿Hacen blanqueamiento los sábados?',
  'Tengo dolor de muelas, ¿me pueden atender hoy?',
];

async function seed(dataDir: string, entries: number): Promise<void> {
  Logger.overrideLogger(['error']);
  const db = await openEmbeddedDatabase(dataDir);
  try {
    await prepare(db, { demoSeed: true });
    await db.pool.query(
      `insert into public.knowledge_entries (company_id, title, content, tags, ts_config)
       select $1, '¿Cuánto cuesta ' || t.topic || ' número ' || i || '?',
              'El tratamiento de ' || t.topic || ' número ' || i || ' cuesta ' || (500 + i % 900) || ' pesos y dura ' || (1 + i % 5) || ' sesiones.',
              array[t.topic], 'spanish'
         from generate_series(1, $2::int) i
         join unnest($3::text[]) with ordinality as t(topic, n) on t.n = 1 + i % $4`,
      [DEMO_COMPANY_ID, entries, TOPICS, TOPICS.length],
    );
    // Statistics now, not whenever autovacuum gets to it: without them the planner ignores the search index.
    await db.pool.query('analyze public.knowledge_entries');
  } finally {
    await db.close();
  }
}

export async function benchRelayFirstToken(options: { entries?: number; prompts?: number } = {}): Promise<RelayFirstTokenBenchResult> {
  const entries = options.entries ?? 10_000;
  const prompts = options.prompts ?? 500;
  const dataDir = mkdtempSync(join(tmpdir(), 'api-bench-relay-'));
  try {
    await seed(dataDir, entries);
    const api = await spawnNode(
      'src/main.js',
      [],
      { NODE_ENV: 'development', LOG_LEVEL: 'error', DATA_DIR: dataDir, SESSION_TOKEN_SECRET: SESSION_SECRET, TWILIO_API_BASE_URL: 'http://127.0.0.1:9' },
      'http://127.0.0.1:PORT/health',
    );
    try {
      const tokens = new StreamTokenService({ sessionTokenSecret: SESSION_SECRET } as AppConfig);
      const firsts: number[] = [];
      const fulls: number[] = [];
      const perCall = 10;
      for (let c = 0; c * perCall < prompts; c++) {
        const callSid = `CA${(Date.now() * 1000 + c).toString(16).padStart(32, '0')}`;
        const socket = new WebSocket(`ws://127.0.0.1:${api.port}/conversation-relay`, { perMessageDeflate: false });
        await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)));
        socket.send(
          JSON.stringify({
            type: 'setup',
            callSid,
            from: '+525500000001',
            to: '+525512345678',
            customParameters: { token: tokens.issue(callSid, DEMO_COMPANY_ID, 'conversation_relay') },
          }),
        );
        for (let p = 0; p < perCall && c * perCall + p < prompts; p++) {
          const question = QUESTIONS[(c * perCall + p) % QUESTIONS.length];
          const sent = performance.now();
          let first = 0;
          await new Promise<void>((resolve) => {
            const onMessage = (data: Buffer): void => {
              const frame = JSON.parse(data.toString('utf8')) as { type: string; token?: string; last?: boolean };
              if (frame.type === 'text' && frame.token && !first) first = performance.now() - sent;
              if ((frame.type === 'text' && frame.last) || frame.type === 'end') {
                socket.off('message', onMessage);
                resolve();
              }
            };
            socket.on('message', onMessage);
            socket.send(JSON.stringify({ type: 'prompt', voicePrompt: question, lang: 'es-MX', last: true }));
          });
          if (c > 0) {
            // the first call warms up the process (JIT, statement cache)
            firsts.push(first);
            fulls.push(performance.now() - sent);
          }
        }
        socket.close();
      }
      const f = percentiles(firsts);
      const a = percentiles(fulls);
      return {
        entries,
        prompts: firsts.length,
        first_token_ms: { p50: round(f.p50, 2), p99: round(f.p99, 2), max: round(f.max, 2) },
        full_answer_ms: { p50: round(a.p50, 2), p99: round(a.p99, 2) },
      };
    } finally {
      await api.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { entries: { type: 'string' }, prompts: { type: 'string' } } });
  process.stdout.write(`ConversationRelay first-token benchmark on ${machine()}\n`);
  benchRelayFirstToken({ entries: values.entries ? Number(values.entries) : undefined, prompts: values.prompts ? Number(values.prompts) : undefined })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
