import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { AgentRepository } from '../src/agent/agent.repository.js';
import { AgentService } from '../src/agent/agent.service.js';
import { KnowledgeBrain } from '../src/agent/knowledge.brain.js';
import { OpenAiBrain } from '../src/agent/openai.brain.js';
import { AgentConfigService } from '../src/companies/agent-config.service.js';
import { CompaniesRepository } from '../src/companies/companies.repository.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { PgDatabase } from '../src/database/pg-database.js';
import { benchDatabases, machine, percentiles } from './support.js';

const COMPANIES = 100;
const BIG_ENTRIES = 10_000;
const SMALL_ENTRIES = 20;
const QUERIES = 400;

/** A Spanish clinic-and-shop vocabulary; entries and questions draw from it with a skew, like real text. */
const WORDS = (
  'cita horario precio costo consulta limpieza dental doctor doctora clinica paciente seguro pago tarjeta efectivo ' +
  'transferencia factura receta tratamiento urgencia dolor muela diente encia ortodoncia brackets implante corona ' +
  'resina caries blanqueamiento radiografia extraccion anestesia revision valoracion sabado domingo lunes martes ' +
  'miercoles jueves viernes manana tarde noche estacionamiento direccion avenida colonia ciudad metro autobus ' +
  'telefono correo whatsapp pagina reservacion cancelar cambiar reprogramar llegar esperar sala recepcion promocion ' +
  'descuento familia nino nina adulto embarazada mascota perro gato vacuna comida mesa menu bebida postre mezcal ' +
  'cerveza vino pedido domicilio entrega llevar terraza musica evento fiesta cumpleanos grupo persona gerente ' +
  'queja sugerencia garantia devolucion producto tienda envio paquete talla color modelo marca auto llanta freno ' +
  'aceite motor bateria alineacion servicio taller refaccion mecanico inspeccion lavado aire acondicionado clase ' +
  'curso inscripcion maestro alumno examen horario grupo nivel ingles espanol computadora internet contrasena cuenta ' +
  'usuario acceso registro formulario documento identificacion comprobante domicilio requisito tramite oficina'
).split(' ');

/** Deterministic pseudo-random numbers, so that every run measures the same data. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** The real words first, then invented ones, so that the vocabulary has the long tail of real text. */
const SYLLABLES = ['ca', 'lo', 'me', 'ri', 'ta', 'so', 'nu', 'pe', 'de', 'mi', 'ra', 'vo', 'ge', 'lu', 'ba', 'ti'];
const VOCABULARY = [
  ...WORDS,
  ...Array.from(
    { length: 6000 },
    (_, i) =>
      SYLLABLES.map((_, k) => SYLLABLES[(i >> (k * 4)) % 16])
        .slice(0, 3 + (i % 3))
        .join('') + 'o',
  ),
];
function phrase(random: () => number, words: number): string {
  // Log-uniform ranks (Zipf-like): a few words are in many entries, most in few.
  return Array.from({ length: words }, () => VOCABULARY[Math.min(VOCABULARY.length - 1, Math.floor(VOCABULARY.length ** random()) - 1)]).join(' ');
}

async function seed(db: PgDatabase, random: () => number): Promise<{ big: string; small: string[] }> {
  const ids = Array.from({ length: COMPANIES }, () => randomUUID());
  for (const [i, id] of ids.entries()) {
    await db.pool.query('insert into public.companies (id, name) values ($1, $2)', [id, `Bench company ${i}`]);
    await db.call('save_agent_config', { p_company_id: id, p_config: { language: i % 2 === 0 ? 'es-MX' : 'en-US' }, p_replace: false });
    const count = i === 0 ? BIG_ENTRIES : SMALL_ENTRIES;
    for (let done = 0; done < count; done += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - done) }, () => ({
        title: `¿${phrase(random, 4)}?`,
        content: `${phrase(random, 18)}. ${phrase(random, 14)}.`,
        tags: [],
      }));
      await db.call('create_knowledge_entries', { p_company_id: id, p_entries: batch });
    }
  }
  await db.pool.query('analyze public.knowledge_entries');
  return { big: ids[0], small: ids.slice(1) };
}

async function time(samples: number[], work: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await work();
  samples.push(performance.now() - start);
}

export interface RetrievalBenchResult {
  database: string;
  companies: number;
  entries_in_company: number;
  search_ms: { p50: number; p99: number; max: number };
  search_small_company_ms: { p50: number; p99: number };
  /** Prompt to first text event of the knowledge brain (context load in one round trip + the reply). */
  knowledge_first_token_ms: { p50: number; p99: number; max: number };
}

/** Retrieval latency at 10,000 entries in one company among 100, on the embedded database and the server. */
export async function benchRetrieval(): Promise<RetrievalBenchResult[]> {
  const results: RetrievalBenchResult[] = [];
  for (const { label, db, dispose } of await benchDatabases()) {
    try {
      const random = prng(42);
      const seeded = performance.now();
      const { big, small } = await seed(db, random);
      process.stderr.write(`  ${label}: seeded ${COMPANIES} companies in ${Math.round(performance.now() - seeded)} ms\n`);
      const questions = Array.from({ length: QUERIES }, () => `¿${phrase(random, 6)}?`);
      for (const q of questions.slice(0, 20)) await db.call('search_knowledge', { p_company_id: big, p_query: q, p_limit: 5 });

      const search: number[] = [];
      for (const q of questions) await time(search, () => db.call('search_knowledge', { p_company_id: big, p_query: q, p_limit: 5 }));
      const smallSearch: number[] = [];
      for (const [i, q] of questions.entries())
        await time(smallSearch, () => db.call('search_knowledge', { p_company_id: small[i % small.length], p_query: q, p_limit: 5 }));

      const config = { openai: { baseUrl: 'http://127.0.0.1:9/v1', model: 'none' }, agent: { llmTimeoutMs: 1000 } } as AppConfig;
      const agent = new AgentService(
        new AgentRepository(db),
        new AgentConfigService(new CompaniesRepository(db)),
        new KnowledgeBrain(),
        new OpenAiBrain(config, new KnowledgeBrain()),
      );
      const firstToken: number[] = [];
      for (const [i, q] of questions.entries()) {
        const start = performance.now();
        let first = true;
        for await (const event of agent.respond({ companyId: big, channel: 'voice', contact: `+5255${String(10_000_000 + i)}`, text: q })) {
          if (first && event.type === 'text') {
            firstToken.push(performance.now() - start);
            first = false;
          }
        }
      }
      const s = percentiles(search);
      const ss = percentiles(smallSearch);
      const ft = percentiles(firstToken);
      results.push({
        database: label,
        companies: COMPANIES,
        entries_in_company: BIG_ENTRIES,
        search_ms: { p50: s.p50, p99: s.p99, max: s.max },
        search_small_company_ms: { p50: ss.p50, p99: ss.p99 },
        knowledge_first_token_ms: { p50: ft.p50, p99: ft.p99, max: ft.max },
      });
    } finally {
      await dispose();
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`retrieval benchmark on ${machine()}\n`);
  benchRetrieval()
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
