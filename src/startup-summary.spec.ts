import { testConfig } from '../test/support/test-config.js';
import { DEMO, startupSummary } from './startup-summary.js';

describe('startupSummary', () => {
  it('names the docs, the demo company and the token command on the embedded default', () => {
    const text = startupSummary(testConfig({ env: 'development', publicBaseUrl: 'http://localhost:3000', demoSeed: true }), 3000).join('\n');
    expect(text).toContain('http://localhost:3000/docs');
    expect(text).toContain(`${DEMO.companyName}, number ${DEMO.phoneNumber}, owner user ${DEMO.userId}`);
    expect(text).toContain(`npm run -s token -- --sub ${DEMO.userId} --admin`);
  });

  it('offers no token command and no demo in production, and never a secret', () => {
    const config = testConfig({ env: 'production', publicBaseUrl: 'https://voice.example.com', demoSeed: false });
    const text = startupSummary(config, 8080).join('\n');
    expect(text).toContain('https://voice.example.com/docs');
    expect(text).not.toMatch(/token --|demo/);
    for (const secret of [config.auth.jwtSecret!, config.twilio.authToken, config.sessionTokenSecret]) expect(text).not.toContain(secret);
  });
});
