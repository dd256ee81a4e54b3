import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

describe('docs/openapi.json', () => {
  it('matches the decorators (run npm run openapi after changing the API)', { timeout: 90_000 }, () => {
    expect(existsSync('dist/scripts/openapi.js'), 'build first: npm test runs nest build').toBe(true);
    const out = execFileSync('node', ['dist/scripts/openapi.js', '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as Json;
const operations: { name: string; path: string; operation: Json }[] = Object.entries(document.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, path, operation: operation as Json })),
);
const responses = operations.flatMap(({ name, path, operation }) =>
  Object.entries(operation.responses as Json).map(([status, response]) => ({ name: `${name} ${status}`, path, status, response: response as Json })),
);

describe('docs/openapi.json for the people trying the API', () => {
  it('gives every JSON error response an example of its own status with a message the API sends', () => {
    const errors = responses.filter(({ status, response }) => Number(status) >= 400 && response.content?.['application/json']);
    expect(errors.length).toBeGreaterThan(50);
    for (const { name, status, response } of errors) {
      const example = response.content['application/json'].example as Json | undefined;
      expect(example, name).toMatchObject({ statusCode: Number(status), error: expect.any(String), message: expect.any(String) });
    }
    const lookup = document.paths['/api/debug/phone-lookup/{phone_number}'].get.responses;
    const messageOf = (status: string): string => lookup[status].content['application/json'].example.message;
    expect(messageOf('401')).toBe('Send a Supabase access token as "Authorization: Bearer <token>"');
    expect(messageOf('403')).toBe('This route is for platform admins');
    expect(messageOf('429')).toMatch(/^Too many requests: the limit is \d+ requests per \d+ s for each user on \/api\. Retry after \d+ s\.$/);
    expect(document.paths['/voice/status'].post.responses['403'].content['application/json'].example.message).toBe('Invalid or missing X-Twilio-Signature');
  });

  it('pre-fills no optional parameter (Swagger UI would send the example as if typed)', () => {
    const optional = operations.flatMap(({ name, operation }) =>
      ((operation.parameters ?? []) as Json[]).filter((p) => !p.required).map((p) => ({ name: `${name} ?${p.name}`, p })),
    );
    expect(optional.map(({ name }) => name)).toContain('GET /api/debug/user-companies ?user_id');
    for (const { name, p } of optional) {
      expect(p.example, name).toBeUndefined();
      expect(p.examples, name).toBeUndefined();
      expect(p.schema?.example, name).toBeUndefined();
    }
  });

  it('documents the response headers: X-Request-Id everywhere, Retry-After on 429, the rate-limit headers where the limit counts', () => {
    for (const { name, path, status, response } of responses) {
      expect(response.headers?.['X-Request-Id'], name).toBeDefined();
      if (status === '429') expect(response.headers['Retry-After'], name).toMatchObject({ schema: { type: 'integer' } });
      if (path.startsWith('/api/') && status === '200') expect(response.headers['X-RateLimit-Remaining-api'], name).toBeDefined();
    }
    expect(document.paths['/voice/status'].post.responses['204'].headers['X-RateLimit-Limit-twilio']).toBeDefined();
  });

  it('describes every success response', () => {
    for (const { name, status, response } of responses.filter(({ status }) => status.startsWith('2'))) {
      expect(String(response.description ?? '').length, `${name} ${status}`).toBeGreaterThan(3);
    }
  });

  it('shows the TwiML answers as real TwiML on the media type, which Swagger UI renders as it is', () => {
    for (const path of ['/voice/incoming/{company_id}', '/voice/connect-action']) {
      const xml = document.paths[path].post.responses['200'].content['text/xml'];
      expect(xml.schema.example, path).toBeUndefined();
      expect(XMLValidator.validate(xml.example), path).toBe(true);
      expect(new XMLParser().parse(xml.example).Response, path).toBeDefined();
    }
    const incoming = new XMLParser({ ignoreAttributes: false }).parse(
      document.paths['/voice/incoming/{company_id}'].post.responses['200'].content['text/xml'].example,
    );
    expect(incoming.Response.Connect.ConversationRelay['@_url']).toBe('wss://voice.example.com/conversation-relay');
  });
});
