/**
 * A small typed client for the Phone-to-Agent API. Paths, parameters, bodies and answers are checked by
 * TypeScript against `schema.d.ts`, which is generated from the API's OpenAPI document (`npm run client`).
 * Works wherever `fetch` does (browsers, Node 18+, edge runtimes); no dependencies.
 */
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** The body of every error the API sends: `{ statusCode, error, message, errors?, correlation_id? }`. */
export type ApiError = components['schemas']['ApiErrorDto'];
/** A DTO by its name in the document, e.g. `Schema<'AuthTestResponseDto'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Paths that have an operation for `M`. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends Record<M, object> ? P : never;
}[keyof paths];

export type OperationOf<P extends keyof paths, M extends HttpMethod> = paths[P] extends Record<M, infer O> ? O : never;

type ParametersOf<O> = O extends { parameters: infer P } ? P : object;
type PathParams<O> = ParametersOf<O> extends { path: infer X } ? X : never;
type QueryParams<O> = ParametersOf<O> extends { query?: infer X } ? X : never;
type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type BodyRequired<O> = O extends { requestBody: object } ? true : false;

type PathOption<O> = [PathParams<O>] extends [never] ? { path?: never } : { path: PathParams<O> };
type QueryOption<O> = [QueryParams<O>] extends [never] | [undefined]
  ? { query?: never }
  : object extends QueryParams<O>
    ? { query?: QueryParams<O> }
    : { query: QueryParams<O> };
type BodyOption<O> = [JsonBody<O>] extends [never] ? { body?: never } : BodyRequired<O> extends true ? { body: JsonBody<O> } : { body?: JsonBody<O> };

/** What one call takes: path and query parameters and the JSON body, each required exactly when the API requires it. */
export type RequestOptions<O> = PathOption<O> &
  QueryOption<O> &
  BodyOption<O> & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

/** Options may be left out when nothing in them is required. */
type OptionsArgs<O> = object extends RequestOptions<O> ? [options?: RequestOptions<O>] : [options: RequestOptions<O>];

type SuccessStatus = 200 | 201 | 202 | 204;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type ContentOf<R> = R extends { content: { 'application/json': infer B } } ? B : R extends { content: { 'text/plain': infer T } } ? T : undefined;
/** The decoded body of the operation's success responses. */
export type SuccessData<O> = {
  [S in keyof ResponsesOf<O>]: S extends SuccessStatus ? ContentOf<ResponsesOf<O>[S]> : never;
}[keyof ResponsesOf<O>];

/** Either the answer or the API's error; never throws for an HTTP status (only for network failures). */
export type ApiResult<T> = { ok: true; status: number; data: T; response: Response } | { ok: false; status: number; error: ApiError; response: Response };

export interface ApiClientOptions {
  /** The API's origin, e.g. `https://api.example.com` (no trailing path). */
  baseUrl: string;
  /** The Supabase access token, or a function returning the current one (called before every request). */
  accessToken?: string | (() => string | undefined | Promise<string | undefined>);
  /** Another fetch (tests, SSR); the global one by default. */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

type Caller<M extends HttpMethod> = <P extends PathsWith<M>>(
  path: P,
  ...args: OptionsArgs<OperationOf<P, M>>
) => Promise<ApiResult<SuccessData<OperationOf<P, M>>>>;

export interface ApiClient {
  get: Caller<'get'>;
  post: Caller<'post'>;
  put: Caller<'put'>;
  patch: Caller<'patch'>;
  delete: Caller<'delete'>;
}

interface LooseOptions {
  path?: Record<string, string | number>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function send(method: HttpMethod, path: string, call: LooseOptions = {}): Promise<ApiResult<unknown>> {
    const url = new URL(baseUrl + fillPath(path, call.path));
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers, ...call.headers };
    const token = typeof options.accessToken === 'function' ? await options.accessToken() : options.accessToken;
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const response = await fetchFn(url, { method: method.toUpperCase(), headers, body, signal: call.signal });
    const data = await readBody(response);
    if (response.ok) return { ok: true, status: response.status, data, response };
    return { ok: false, status: response.status, error: toApiError(data, response), response };
  }

  // The typed signatures above are the contract; at run time every method is the same request.
  const caller = (method: HttpMethod) => (path: string, call?: LooseOptions) => send(method, path, call);
  return {
    get: caller('get'),
    post: caller('post'),
    put: caller('put'),
    patch: caller('patch'),
    delete: caller('delete'),
  } as unknown as ApiClient;
}

function fillPath(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function toApiError(data: unknown, response: Response): ApiError {
  if (data && typeof data === 'object' && typeof (data as ApiError).message === 'string' && typeof (data as ApiError).statusCode === 'number') {
    return data as ApiError;
  }
  return {
    statusCode: response.status,
    error: response.statusText || 'Error',
    message: typeof data === 'string' && data ? data : `The API answered ${response.status}`,
  };
}
