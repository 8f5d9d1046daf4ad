import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromiumAvailable, chromiumLaunchOptions, type TestApp } from '@botloom/core/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInitData } from '../src/services/init-data.js';
import { MANAGER, SLOW, type SupportTestApp, startSupportApp } from './support/e2e-app.js';

const hasChromium = chromiumAvailable('plugin-support');
/** Set SUPPORT_SCREENSHOTS=dir to keep screenshots of the page at phone and desktop widths. */
const SCREENSHOTS = process.env.SUPPORT_SCREENSHOTS;

let s: SupportTestApp;
let t: TestApp;
let browser: Browser;

describe.skipIf(!hasChromium)('web app chat in Chromium', () => {
  beforeAll(async () => {
    s = await startSupportApp();
    t = s.t;
    browser = await chromium.launch(chromiumLaunchOptions());
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.t.stop();
    if (s) await rm(s.kbDir, { recursive: true, force: true });
  });

  async function openPage(launchUrl: string, viewport = { width: 390, height: 780 }) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    // No network in the sandbox: telegram-web-app.js is unreachable and the page must cope.
    await page.route('https://telegram.org/**', (route) => route.abort());
    await page.goto(launchUrl);
    return { page, context };
  }

  it('opens with signed initData: history, AI reply, live manager reply, file upload', async () => {
    const kate = t.user('kate_customer', { first_name: 'Kate', language_code: 'en' });
    const kateId = await kate.id();
    // Some history from the bot chat first.
    await kate.send('How big is the deposit?');
    await kate.expectReply(/300 euros/);

    const launch = await t.sandbox.openWebApp({ userId: kateId, url: `${t.url}/p/support/app` });
    const themed = launch.launchUrl.replace(
      /tgWebAppThemeParams=[^&]*/,
      `tgWebAppThemeParams=${encodeURIComponent(JSON.stringify({ bg_color: '#17212b', text_color: '#f5f5f5', button_color: '#5288c1', button_text_color: '#ffffff', secondary_bg_color: '#232e3c', hint_color: '#708499', link_color: '#6ab3f3' }))}`,
    );
    const { page, context } = await openPage(themed);
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector('.msg--ai');
    expect(await page.locator('.msg--customer').first().textContent()).toContain('How big is the deposit?');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(23, 33, 43)');

    await page.fill('#text', 'What are the office hours?');
    await page.click('#send');
    await page.waitForSelector('.msg--ai:has-text("9:00 to 21:00")');

    await page.click('#call-manager');
    await page.waitForSelector('#status[data-status="waiting_manager"]', { timeout: SLOW.timeoutMs });
    const ticket = await s.latestTicketOf(kateId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    await t.sandbox.sendMessage(MANAGER, 'Hello Kate, Maria here!', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    await page.waitForSelector('.msg--manager:has-text("Hello Kate, Maria here!")', {
      timeout: SLOW.timeoutMs,
    });
    expect(await page.locator('.msg--manager .msg__author').last().textContent()).toBe('Maria Manager');

    // A real 2x2 PNG, so the page can show it.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
      'base64',
    );
    const file = path.join(os.tmpdir(), `support-upload-${process.pid}.png`);
    await writeFile(file, png);
    await page.setInputFiles('#file', file);
    await page.waitForSelector('.msg--customer img');
    await page.waitForFunction(
      () => (document.querySelector('.msg--customer img') as HTMLImageElement | null)?.naturalWidth === 2,
    );
    await s.topicOf(ticket.id, /photo/);
    await rm(file, { force: true });

    // A file that is too large is refused with a visible message.
    const big = path.join(os.tmpdir(), `support-big-${process.pid}.png`);
    await writeFile(big, Buffer.concat([png, Buffer.alloc(80 * 1024)]));
    await page.setInputFiles('#file', big);
    await page.waitForSelector('#notice:has-text("too large")');
    await rm(big, { force: true });

    if (SCREENSHOTS) {
      await page.screenshot({ path: path.join(SCREENSHOTS, 'web-app-phone.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'web-app-desktop.png') });
    }
    await context.close();
  });

  it('refuses forged, tampered and expired initData with a visible message', async () => {
    const user = { id: 777_001, first_name: 'Mallory' };
    const base = `${t.url}/p/support/app`;
    const forged = signInitData('123456:not-the-bot-token', { user });
    const valid = signInitData(s.token, { user });
    const tamperedParams = new URLSearchParams(valid);
    tamperedParams.set('user', JSON.stringify({ ...user, id: 777_002 }));
    const expired = signInitData(s.token, { user, authDate: Math.floor(Date.now() / 1000) - 3 * 86_400 });
    for (const initData of [forged, tamperedParams.toString(), expired]) {
      const { page, context } = await openPage(`${base}#tgWebAppData=${encodeURIComponent(initData)}`);
      await page.waitForSelector('body[data-auth="refused"]');
      expect(await page.locator('#notice').textContent()).toContain('Could not verify your Telegram session');
      expect(await page.locator('#send').isDisabled()).toBe(true);
      await context.close();
    }
    const history = await fetch(`${t.url}/p/support/api/history`, {
      headers: { authorization: `tma ${valid}` },
    });
    expect(history.status).toBe(200);
  });
});
