import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { addPhoneNumber, createCompany } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';

const SCRIPT = 'dist/scripts/simulate-call.js';
const run = promisify(execFile);

describe('npm run simulate:call against a running API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterAll(() => t.close());

  it('plays the call through and ends it with a signed completed status callback, as Twilio does', async () => {
    expect(existsSync(SCRIPT), 'build first: npm test runs nest build').toBe(true);
    const company = await createCompany(t.db);
    const number = await addPhoneNumber(t.db, company.id);
    const { port } = t.server.address() as AddressInfo;
    const { stdout } = await run(
      process.execPath,
      [SCRIPT, '--url', `http://127.0.0.1:${port}`, '--to', number, '--company', company.id, '--say', '¿Cuál es el horario?'],
      {
        // The script signs with the settings the API runs on; the running API is this test's app.
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'development',
          PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
          TWILIO_ACCOUNT_SID: TEST_TWILIO_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: TEST_TWILIO_AUTH_TOKEN,
        },
        timeout: 60_000,
      },
    );
    const callSid = /CallSid (CA[0-9a-f]{32})/.exec(stdout)?.[1];
    expect(callSid, stdout).toBeDefined();
    expect(stdout).toContain('WebSocket /conversation-relay open');
    expect(stdout).toContain('POST /voice/status CallStatus=completed → 204');

    const { rows } = await t.db.pool.query<{ status: string; ended_at: Date | null; duration_seconds: number | null }>(
      'select status, ended_at, duration_seconds from public.call_sessions where call_sid = $1',
      [callSid],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('completed');
    expect(rows[0].ended_at).toBeInstanceOf(Date);
    expect(rows[0].duration_seconds).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
