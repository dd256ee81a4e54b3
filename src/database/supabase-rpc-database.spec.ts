import { DatabaseError } from './database-error.js';
import { SupabaseRpcDatabase } from './supabase-rpc-database.js';

interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that answers like PostgREST and records what supabase-js sent. */
function fakeFetch(status: number, body: unknown): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    requests.push({ url: String(input), method: init?.method ?? 'GET', headers, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: impl as typeof fetch, requests };
}

const URL_ = 'https://project.supabase.co';
const KEY = 'service-role-key-for-tests';

describe('SupabaseRpcDatabase', () => {
  it('posts named arguments to /rest/v1/rpc/<fn> with the service-role key', async () => {
    const { fetch, requests } = fakeFetch(200, { company_id: 'c1' });
    const db = new SupabaseRpcDatabase(URL_, KEY, fetch);
    const result = await db.call('resolve_phone_number', { p_phone_number: '+525512345678', p_skip: undefined });
    expect(result).toEqual({ company_id: 'c1' });
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`${URL_}/rest/v1/rpc/resolve_phone_number`);
    expect(req.headers.apikey).toBe(KEY);
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.body).toEqual({ p_phone_number: '+525512345678', p_skip: null });
  });

  it('returns null for a function that returned null', async () => {
    const { fetch } = fakeFetch(200, null);
    expect(await new SupabaseRpcDatabase(URL_, KEY, fetch).call('resolve_phone_number', { p_phone_number: '+1' })).toBeNull();
  });

  it.each([
    [400, { code: '22023', message: 'language must be BCP 47' }, 'invalid'],
    [400, { code: 'P0001', message: 'raised' }, 'invalid'],
    [404, { code: 'P0002', message: 'no such bundle' }, 'not_found'],
    [409, { code: '23505', message: 'duplicate key' }, 'conflict'],
    [403, { code: '42501', message: 'permission denied for function' }, 'forbidden'],
    [404, { code: 'PGRST202', message: 'Could not find the function public.x in the schema cache' }, 'internal'],
    [503, { code: 'PGRST000', message: 'Could not connect' }, 'unavailable'],
  ])('maps HTTP %i %j to a %s DatabaseError', async (status, body, kind) => {
    const { fetch } = fakeFetch(status, body);
    const error = await new SupabaseRpcDatabase(URL_, KEY, fetch).call('resolve_phone_number', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe(kind);
    expect((error as DatabaseError).code).toBe(body.code);
  });

  it('maps a network failure to unavailable', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const error = await new SupabaseRpcDatabase(URL_, KEY, failing).call('health_check').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('unavailable');
  });

  it('gives up on a Supabase that never answers, as unavailable, after its deadline', async () => {
    // Like a hung PostgREST: the request is accepted and nothing comes back until the signal aborts it.
    const hanging = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    const started = performance.now();
    const error = await new SupabaseRpcDatabase(URL_, KEY, hanging, 200).call('health_check').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('unavailable');
  });

  it('refuses function and argument names that are not plain identifiers, before sending anything', async () => {
    const { fetch, requests } = fakeFetch(200, null);
    const db = new SupabaseRpcDatabase(URL_, KEY, fetch);
    await expect(db.call('x; drop table companies')).rejects.toThrow(/Invalid SQL identifier/);
    await expect(db.call('ok_fn', { 'p_a"': 1 })).rejects.toThrow(/Invalid SQL identifier/);
    expect(requests).toHaveLength(0);
  });

  it('refuses transactions with a clear message', async () => {
    const { fetch } = fakeFetch(200, null);
    await expect(new SupabaseRpcDatabase(URL_, KEY, fetch).transaction(async () => 1)).rejects.toThrow(/DATABASE_URL/);
  });
});
