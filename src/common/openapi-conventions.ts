import type { HeaderObject, OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';

const DEMO_COMPANY = '00000000-0000-4000-8000-000000000001';

/** Each error status with a message the API really sends for it (the guards', pipes' and services' own texts). */
const ERROR_EXAMPLES: Readonly<Record<string, { error: string; message: string; errors?: { field: string; message: string }[] }>> = {
  '400': { error: 'Bad Request', message: 'company_id must be a UUID', errors: [{ field: 'company_id', message: 'company_id must be a UUID' }] },
  '401': { error: 'Unauthorized', message: 'Send a Supabase access token as "Authorization: Bearer <token>"' },
  '403': { error: 'Forbidden', message: 'You are not a member of this company' },
  '404': { error: 'Not Found', message: `Company ${DEMO_COMPANY} does not exist` },
  '409': { error: 'Conflict', message: 'Only a draft bundle can be submitted; this one is in-review' },
  '413': { error: 'Payload Too Large', message: 'The document is 7340032 bytes; the limit is 5242880 bytes' },
  '415': { error: 'Unsupported Media Type', message: 'Documents must be PDF, JPEG or PNG; got text/plain' },
  '429': { error: 'Too Many Requests', message: 'Too many requests: the limit is 1200 requests per 60 s for each user on /api. Retry after 12 s.' },
  '502': { error: 'Bad Gateway', message: 'Twilio could not update the number: HTTP 503: Service Unavailable. Nothing was saved; try again.' },
  '503': { error: 'Service Unavailable', message: 'The database does not answer' },
};

/** Where one status has several causes, the response's description (from the shared decorators) picks the message. */
const MESSAGE_BY_DESCRIPTION: ReadonlyArray<[RegExp, string]> = [
  [/not a platform admin/, 'This route is for platform admins'],
  [/Twilio signature/, 'Invalid or missing X-Twilio-Signature'],
  [/RATE_LIMIT_TWILIO/, 'Too many requests: the limit is 30000 requests per 60 s for each source address on the Twilio webhooks. Retry after 3 s.'],
  [/No such entry/, 'Knowledge entry 5b1f0c1e-8a55-4a4e-9d3c-2f6f1a0b9c11 does not exist in this company'],
  [/no such call/, `Company ${DEMO_COMPANY} has no call CA0123456789abcdef0123456789abcdef`],
];

const header = (description: string, type: 'string' | 'integer' = 'string'): HeaderObject => ({ description, schema: { type } });
const REQUEST_ID = header('The request id: the one sent in X-Request-Id (letters, digits, . _ -, up to 64), or a new UUID; quote it to support');
const RETRY_AFTER = header('Seconds to wait before the next request', 'integer');
const rateLimitHeaders = (scope: 'api' | 'twilio'): Record<string, HeaderObject> => ({
  [`X-RateLimit-Limit-${scope}`]: header(`Requests allowed in the window (RATE_LIMIT_${scope.toUpperCase()})`, 'integer'),
  [`X-RateLimit-Remaining-${scope}`]: header('Requests left in the current window', 'integer'),
  [`X-RateLimit-Reset-${scope}`]: header('Seconds until the window starts again', 'integer'),
});

const isReference = (value: unknown): value is ReferenceObject => typeof value === 'object' && value !== null && '$ref' in value;

/**
 * What the decorators cannot say once for all routes: an example per error status with a real message, the
 * response headers every answer carries, descriptions on success answers, and no pre-filled optional parameters
 * (Swagger UI's try-it-out sends a parameter's example as if the user had typed it).
 */
export function applyOpenApiConventions(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const scope = path === '/api' || path.startsWith('/api/') ? 'api' : operation.tags?.includes('twilio') ? 'twilio' : null;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!response || isReference(response)) continue;
        describeResponse(operation, status, response, scope);
      }
      for (const parameter of operation.parameters ?? []) {
        if (!isReference(parameter) && !parameter.required) clearExample(parameter);
      }
    }
  }
  return document;
}

function describeResponse(operation: OperationObject, status: string, response: ResponseObject, scope: 'api' | 'twilio' | null): void {
  const headers: Record<string, HeaderObject> = { 'X-Request-Id': REQUEST_ID };
  // The access-token guard answers 401 before the rate limit counts, so a 401 carries no rate-limit headers.
  if (scope && status !== '401') Object.assign(headers, rateLimitHeaders(scope));
  if (status === '429') headers['Retry-After'] = RETRY_AFTER;
  response.headers = { ...headers, ...response.headers };
  if (/^2/.test(status) && !response.description) response.description = operation.summary ?? 'Success';
  const json = response.content?.['application/json'];
  const known = ERROR_EXAMPLES[status];
  if (!json || !known || json.example !== undefined || json.examples !== undefined) return;
  const message = MESSAGE_BY_DESCRIPTION.find(([pattern]) => pattern.test(response.description))?.[1] ?? known.message;
  json.example = {
    statusCode: Number(status),
    error: known.error,
    message,
    ...(status === '400' && message === known.message ? { errors: known.errors } : {}),
  };
}

function clearExample(parameter: ParameterObject): void {
  delete parameter.example;
  delete parameter.examples;
  if (parameter.schema && !isReference(parameter.schema)) delete parameter.schema.example;
}
