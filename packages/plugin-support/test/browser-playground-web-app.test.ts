import { chromiumAvailable, chromiumLaunchOptions } from '@botloom/core/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SupportTestApp, startSupportApp } from './support/e2e-app.js';

const hasChromium = chromiumAvailable('plugin-support');

/**
 * The default start: no PUBLIC_URL and no webAppUrl. In sandbox mode the web app lives at the
 * app's own address, so the button appears and the playground opens it with signed initData.
 */
describe.skipIf(!hasChromium)('support web app from the playground, without PUBLIC_URL', () => {
  let s: SupportTestApp;
  let browser: Browser;

  beforeAll(async () => {
    s = await startSupportApp({ support: { webAppUrl: undefined } });
    browser = await chromium.launch(chromiumLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
    await s?.t.stop();
  });

  it('shows the web app button and opens the web app authenticated', async () => {
    const t = s.t;
    const kate = t.user('kate_customer', { first_name: 'Kate', language_code: 'en' });
    const kateId = await kate.id();
    await kate.send('How big is the deposit?');
    await kate.expectReply(/300 euros/);

    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    // No network in the sandbox: telegram-web-app.js is unreachable and the page must cope.
    await page.route('https://telegram.org/**', (route) => route.abort());
    await page.goto(`${t.url}/sandbox/`);
    await page.locator('#user-select').selectOption(String(kateId));
    await page.getByTestId('message-input').fill('/support');
    await page.getByTestId('send-button').click();
    const button = page.locator('.inline-button', { hasText: 'Open the support chat' });
    await button.waitFor({ timeout: 15_000 });
    await button.click();

    await page.locator('#webapp').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#webapp-iframe').getAttribute('src')).toContain(`${t.url}/p/support/app`);
    const webApp = page.frameLocator('#webapp-iframe');
    await webApp.locator('body[data-connected="true"]').waitFor({ timeout: 15_000 });
    // Authenticated as Kate: her chat history is there.
    await expect
      .poll(() => webApp.locator('.msg--customer').first().textContent(), { timeout: 10_000 })
      .toContain('How big is the deposit?');
    await page.close();
  });
});
