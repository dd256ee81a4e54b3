import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { PgDatabase } from '../../src/database/pg-database.js';
import { createCompany, randomMexicanNumber } from './factories.js';

export const newCallSid = (): string => `CA${randomBytes(16).toString('hex')}`;
export const newStreamSid = (): string => `MZ${randomBytes(16).toString('hex')}`;

export interface VoiceCompany {
  id: string;
  transferNumber: string | null;
}

/** A company with an agent configuration and a few knowledge entries (Spanish), for voice calls. */
export async function createVoiceCompany(
  db: PgDatabase,
  options: { transfer?: boolean; voicePath?: 'conversation_relay' | 'media_stream'; greeting?: string | null } = {},
): Promise<VoiceCompany> {
  const company = await createCompany(db, { name: 'Clínica Prueba' });
  const transferNumber = options.transfer === false ? null : randomMexicanNumber();
  await db.pool.query(
    `insert into public.agent_configs (company_id, name, language, greeting, instructions, realtime_voice, voice_path, transfer_number)
     values ($1, 'Sofía', 'es-MX', $2, 'Eres la recepcionista de una clínica.', 'marin', $3, $4)`,
    [company.id, options.greeting === undefined ? 'Hola, ¿en qué le ayudo?' : options.greeting, options.voicePath ?? 'conversation_relay', transferNumber],
  );
  await db.pool.query(
    `insert into public.knowledge_entries (company_id, title, content, ts_config) values
       ($1, '¿Cuánto cuesta una limpieza dental?', 'Una limpieza dental cuesta 800 pesos e incluye revisión.', 'spanish'),
       ($1, '¿Cuál es el horario?', 'Abrimos de lunes a viernes de 9:00 a 19:00.', 'spanish')`,
    [company.id],
  );
  return { id: company.id, transferNumber };
}

/** The call session telephony writes on the incoming webhook. */
export async function openCallSession(db: PgDatabase, companyId: string, callSid = newCallSid(), from = '+525500000001'): Promise<string> {
  await db.pool.query(
    `insert into public.call_sessions (call_sid, company_id, from_number, to_number, status) values ($1, $2, $3, '+525512345678', 'in-progress')`,
    [callSid, companyId, from],
  );
  return callSid;
}

export async function transcriptOf(
  db: PgDatabase,
  callSid: string,
): Promise<{ seq: number; role: string; text: string; interrupted: boolean; latency: Record<string, number> | null }[]> {
  const { rows } = await db.pool.query('select seq, role, text, interrupted, latency from public.call_transcripts where call_sid = $1 order by seq', [callSid]);
  return rows;
}

/** Polls until `check` passes (writes happen off the call path). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The port a listening test app took. */
export function portOf(app: { getHttpServer(): { address(): unknown } }): number {
  return (app.getHttpServer().address() as AddressInfo).port;
}
