import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { API_TITLE } from '../../src/app.setup.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { testUser, TestUser } from '../support/tokens.js';

// Debian's chromium; Playwright's own browser downloads are not used. Without it the test is skipped on a developer's
// machine, but .ci/run installs it and sets BROWSER_TESTS=required, so CI never passes by skipping.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runBrowserTests = existsSync(CHROMIUM) || process.env.BROWSER_TESTS === 'required';

describe.skipIf(!runBrowserTests)(
  `Swagger UI in a browser${runBrowserTests ? '' : ` (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium)`}`,
  () => {
    let t: TestApp;
    let browser: Browser;
    let page: Page;
    let user: TestUser;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (CI requires this test)`).toBe(true);
      t = await createTestApp({ listen: true });
      user = await testUser();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await browser.newPage();
      page.setDefaultTimeout(15_000);
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('authorises with a token and runs GET /api/debug/auth-test from "Try it out"', async () => {
      await page.goto(`${await t.app.getUrl()}/docs`);
      await page.locator('.swagger-ui .info .title', { hasText: API_TITLE }).waitFor();

      // Authorize: the bearer scheme's dialog.
      await page.locator('.scheme-container button.authorize').click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      const bearerForm = dialog.locator('.auth-container', { hasText: 'http, Bearer' });
      await bearerForm.locator('#auth-bearer-value').fill(user.token);
      await bearerForm.locator('button[type=submit]').click();
      await bearerForm.locator('button', { hasText: 'Logout' }).waitFor();
      await dialog.locator('button.close-modal').click();

      // The operation: expand, try it out, execute.
      const operation = page.locator('#operations-debug-testAuth');
      await operation.locator('.opblock-summary').click();
      await operation.locator('button.try-out__btn').click();
      await operation.locator('button.execute').click();

      const live = operation.locator('.live-responses-table');
      await live.locator('.response-col_status', { hasText: '200' }).waitFor();
      const body = await live.locator('.response-col_description pre.microlight').first().innerText();
      expect(JSON.parse(body)).toMatchObject({ authenticated: true, user_id: user.id, role: 'authenticated', is_admin: false });
      // The request Swagger UI shows carries the bearer token it was given.
      await expect(operation.locator('.curl-command').innerText()).resolves.toContain(`Bearer ${user.token}`);
      // All of it ran under the /docs Content-Security-Policy (helmet) without a blocked script, style or call.
      expect(consoleErrors).toEqual([]);
    }, 60_000);
  },
);
