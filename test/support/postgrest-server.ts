import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { jwtVerify, SignJWT } from 'jose';
import type { Pool } from 'pg';

/**
 * A PostgREST stand-in for `POST /rest/v1/rpc/:fn`, bound the way PostgREST binds a JSON body (PostgREST's
 * docs: references/api/functions.rst and references/errors.rst):
 * - the function is found in `pg_catalog` by its name and the body's keys (every key a named argument, every
 *   argument without a default present), else 404 PGRST202;
 * - the body's values are typed by `json_to_record(body) as _(arg sqltype, ...)` and passed as named
 *   arguments, so a JSON string given to a jsonb argument stays a jsonb string;
 * - the request runs in a transaction as the JWT's role (`set local role`, `request.jwt.claims`);
 * - a scalar result is the function's value as JSON text, a set one a JSON array;
 * - a failure answers PostgREST's `{ code, message, details, hint }` with its SQLSTATE → HTTP status.
 * The Authorization JWT is verified with the project's JWT secret, as PostgREST does; `apikey` is required, as
 * Supabase's gateway requires it.
 */
export interface PostgrestServer {
  url: string;
  /** A service-role key signed with the secret, as Supabase issues it. */
  serviceRoleKey: string;
  anonKey: string;
  /** Every rpc call received: function name, body, HTTP status answered. */
  calls: { fn: string; body: unknown; status: number }[];
  close(): Promise<void>;
}

interface RoutineArg {
  name: string;
  type: string;
  hasDefault: boolean;
}

interface Routine {
  args: RoutineArg[];
  returnsSet: boolean;
}

const ROUTINES = `
  select p.proname as name, coalesce(p.proargnames, '{}') as arg_names,
         array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality as u(t, i) order by i) as arg_types,
         p.pronargs as nargs, p.pronargdefaults as ndefaults, p.proretset as returns_set
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.proname = $1`;

export async function startPostgrestServer(pool: Pool, jwtSecret: string): Promise<PostgrestServer> {
  const secret = new TextEncoder().encode(jwtSecret);
  const now = Math.floor(Date.now() / 1000);
  const key = (role: string): Promise<string> =>
    new SignJWT({ iss: 'supabase', ref: 'test', role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(secret);
  const serviceRoleKey = await key('service_role');
  const anonKey = await key('anon');
  const calls: PostgrestServer['calls'] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/rest\/v1\/rpc\/([^/?]+)(\?.*)?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      send(res, 404, { code: 'PGRST125', message: 'Invalid path specified in request URL', details: null, hint: null });
      return;
    }
    const fn = decodeURIComponent(match[1]);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw) : {};
    } catch {
      return record(fn, raw, send(res, 400, { code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null }));
    }
    if (!req.headers.apikey) return record(fn, body, send(res, 401, { message: 'No API key found in request' }));
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let claims: Record<string, unknown> = { role: 'anon' };
    if (bearer) {
      try {
        claims = (await jwtVerify(bearer, secret, { algorithms: ['HS256'] })).payload as Record<string, unknown>;
      } catch (error) {
        return record(fn, body, send(res, 401, { code: 'PGRST301', message: (error as Error).message, details: null, hint: null }));
      }
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return record(fn, body, send(res, 400, { code: 'PGRST102', message: 'A JSON object is expected', details: null, hint: null }));
    }
    const keys = Object.keys(body);
    const routine = await findRoutine(pool, fn, keys);
    if (!routine) {
      return record(
        fn,
        body,
        send(res, 404, {
          code: 'PGRST202',
          message: `Could not find the function public.${fn}(${[...keys].sort().join(', ')}) in the schema cache`,
          details: 'Searched for the function with the given argument names, but no matches were found in the schema cache.',
          hint: null,
        }),
      );
    }
    const role = typeof claims.role === 'string' ? claims.role : 'anon';
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local role ${quoteIdent(role)}`);
      await client.query(`select set_config('request.jwt.claims', $1, true), set_config('request.method', 'POST', true)`, [JSON.stringify(claims)]);
      const given = routine.args.filter((a) => keys.includes(a.name));
      const named = given.map((a) => `${quoteIdent(a.name)} := _.${quoteIdent(a.name)}`).join(', ');
      const record_ = given.length ? given.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(', ') : 'pgrst_none int';
      const call = `public.${quoteIdent(fn)}(${named})`;
      const sql = routine.returnsSet
        ? `select coalesce(json_agg(r.v), '[]')::text as body from (select ${call} as v from json_to_record($1::json) as _(${record_})) r`
        : `select coalesce((json_agg(r.v) -> 0)::text, 'null') as body from (select ${call} as v from json_to_record($1::json) as _(${record_}) limit 1) r`;
      const { rows } = await client.query<{ body: string }>(sql, [JSON.stringify(body)]);
      await client.query('commit');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(rows[0].body);
      record(fn, body, 200);
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      const e = error as { code?: string; message?: string; detail?: string; hint?: string };
      const status = httpStatus(e.code, role !== 'anon');
      record(fn, body, send(res, status, { code: e.code ?? 'XX000', message: e.message ?? String(error), details: e.detail ?? null, hint: e.hint ?? null }));
    } finally {
      client.release();
    }
  }

  function record(fn: string, body: unknown, status: number): void {
    calls.push({ fn, body, status });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { code: 'XX000', message: String(error), details: null, hint: null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    serviceRoleKey,
    anonKey,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** PostgREST's choice: the function whose argument names cover the body's keys and whose required ones are all given. */
async function findRoutine(pool: Pool, fn: string, keys: string[]): Promise<Routine | undefined> {
  const { rows } = await pool.query<{ arg_names: string[]; arg_types: string[]; nargs: number; ndefaults: number; returns_set: boolean }>(ROUTINES, [fn]);
  for (const row of rows) {
    const args = row.arg_types.map((type, i) => ({ name: row.arg_names[i], type, hasDefault: i >= row.nargs - row.ndefaults }));
    const names = new Set(args.map((a) => a.name));
    if (keys.every((k) => names.has(k)) && args.every((a) => a.hasDefault || keys.includes(a.name))) return { args, returnsSet: row.returns_set };
  }
  return undefined;
}

/** PostgREST's SQLSTATE → HTTP status table (references/errors.rst). */
export function httpStatus(code: string | undefined, authenticated: boolean): number {
  if (!code) return 500;
  if (code === '42501') return authenticated ? 403 : 401;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '42883' || code === '42P01') return 404;
  if (code === 'P0001') return 400;
  const cls = code.slice(0, 2);
  if (cls === '08' || cls === '53') return 503;
  if (cls === '0L' || cls === '0P' || cls === '28') return 403;
  if (['09', '25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX'].includes(cls) || code === '42P17') return 500;
  return 400;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
  return status;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
