import request from 'supertest';
import { createTestApp, TestApp } from './support/test-app.js';

describe('health and API documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /health checks the database without a token', async () => {
    const res = await request(t.server).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: t.appDb.kind });
  });

  it('GET /health answers 503 when the database does not', async () => {
    const original = t.appDb.ping.bind(t.appDb);
    t.appDb.ping = () => Promise.reject(new Error('connection refused'));
    try {
      const res = await request(t.server).get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: 'The database does not answer' });
    } finally {
      t.appDb.ping = original;
    }
  });

  it('serves the OpenAPI document at /docs-json with bearer auth and operation ids', async () => {
    const res = await request(t.server).get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const lookup = res.body.paths['/api/debug/phone-lookup/{phone_number}'].get;
    expect(lookup.operationId).toBe('lookupPhoneNumber');
    expect(lookup.security).toEqual([{ bearer: [] }]);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await request(t.server).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });
});
