import request from 'supertest';
import { AgentSessionShutdown } from '../src/agent-session/agent-session.shutdown.js';
import { createTestApp } from './support/test-app.js';

describe('GET /health while the instance drains', () => {
  it('turns 503 from the first moment of the shutdown hook', async () => {
    const t = await createTestApp();
    try {
      expect((await request(t.server).get('/health')).status).toBe(200);
      // The drain's own hook, as SIGTERM runs it (no live calls here, so it returns at once).
      await t.app.get(AgentSessionShutdown).beforeApplicationShutdown('SIGTERM');
      const res = await request(t.server).get('/health');
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/draining/);
    } finally {
      await t.close();
    }
  });
});
