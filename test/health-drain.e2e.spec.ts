import request from 'supertest';
import { AgentSessionShutdown } from '../src/agent-session/agent-session.shutdown.js';
import { LiveCallRegistry } from '../src/agent-session/live-calls.registry.js';
import { createTestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';

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

  it('keeps taking streams for SHUTDOWN_DEREGISTER_SECONDS after /health turned 503, then refuses them', async () => {
    const t = await createTestApp({ config: testConfig({ agentSession: { deregisterSeconds: 1 } }) });
    const calls = t.app.get(LiveCallRegistry);
    try {
      const started = Date.now();
      const shutdown = t.app.get(AgentSessionShutdown).beforeApplicationShutdown('SIGTERM');
      // the load balancer is told at once; a stream it still sends meanwhile is served
      expect((await request(t.server).get('/health')).status).toBe(503);
      expect(calls.isAccepting()).toBe(true);
      await shutdown;
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(calls.isAccepting()).toBe(false);
      expect((await request(t.server).get('/health')).status).toBe(503);
    } finally {
      await t.close();
    }
  });
});
