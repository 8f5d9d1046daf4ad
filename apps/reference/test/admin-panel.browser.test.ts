import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyPlugin } from '@botloom/core';
import { AdminUserService } from '@botloom/core/runtime';
import {
  type AdminPanelCredentials,
  chromiumAvailable,
  chromiumLaunchOptions,
  ensureAdminUiBuilt,
  openAdminPanel,
  signInToAdminPanel,
  startTestApp,
  type TestApp,
} from '@botloom/core/testing';
import memoryPlugin from '@botloom/plugin-memory';
import segmentationPlugin from '@botloom/plugin-segmentation';
import supportPlugin from '@botloom/plugin-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionsCsv } from './support/transactions.js';

const hasChromium = chromiumAvailable('admin panel');
const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/admin-panel/', import.meta.url));
const ADMIN = { username: 'alice', password: 'alice password 1' };
const VIEWER = { username: 'victor', password: 'victor password 1' };
const WAIT = { timeout: 20_000 };

/** A plugin with custom page modules: one that works, one that throws, one built for another panel. */
async function customPagesPlugin(dir: string): Promise<AnyPlugin> {
  const hello = path.join(dir, 'hello.js');
  const crash = path.join(dir, 'crash.js');
  await writeFile(
    hello,
    `export default function createPage({ React, components }) {
  return function Hello() {
    return React.createElement(components.Card, { title: 'Custom' }, React.createElement('p', { 'data-testid': 'custom-hello' }, 'Hello from a plugin module'));
  };
}
`,
  );
  await writeFile(
    crash,
    `export default function createPage() {
  return function Crash() { throw new Error('boom from the plugin page'); };
}
`,
  );
  return {
    id: 'custom',
    version: '1.0.0',
    core: '^0.1.0',
    adminPages: [
      { id: 'hello', title: { en: 'Hello', ru: 'Привет' }, module: { file: hello, uiVersion: '1.0.0' } },
      { id: 'crash', title: { en: 'Crash', ru: 'Сбой' }, module: { file: crash, uiVersion: '1.2.0' } },
      { id: 'old', title: { en: 'Old', ru: 'Старая' }, module: { file: hello, uiVersion: '0.9.0' } },
    ],
  };
}

describe.skipIf(!hasChromium)('admin panel in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let modulesDir = '';

  beforeAll(async () => {
    await ensureAdminUiBuilt();
    modulesDir = await mkdtemp(path.join(tmpdir(), 'botloom-panel-modules-'));
    t = await startTestApp({
      plugins: [
        memoryPlugin({ outsideSession: 'ignore' }),
        segmentationPlugin(),
        supportPlugin(),
        await customPagesPlugin(modulesDir),
      ],
    });
    const users = new AdminUserService(t.app.database!.sequelize);
    await users.create({ ...ADMIN, role: 'admin' });
    await users.create({ ...VIEWER, role: 'viewer' });

    // Data for the pages: a conversation (activity), a knowledge item, a segmentation run.
    const guest = t.user('guest', { first_name: 'Guest' });
    await guest.send('/start');
    await guest.expectReply(/./);
    await guest.send('Hello! When are you open on Saturday?');
    await guest.expectReply(/./);
    expect(
      (
        await t.admin.post('/admin/api/support/knowledge', {
          title: 'Opening hours',
          content: 'Open 9 to 5.',
        })
      ).status,
    ).toBe(201);
    const form = new FormData();
    form.set('file', new Blob([transactionsCsv()], { type: 'text/csv' }), 'transactions.csv');
    const upload = await fetch(`${t.url}/admin/api/segmentation/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    // The import queues a recompute job; wait for its run (bounded by attempts, not by speed).
    for (let attempt = 0; ; attempt++) {
      if ((await t.admin.get('/admin/api/segmentation/segments')).status === 200) break;
      if (attempt > 600) throw new Error('segmentation never finished its run');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    browser = await chromium.launch(chromiumLaunchOptions());
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (modulesDir) await rm(modulesDir, { recursive: true, force: true });
  });

  const openPanel = (viewport = { width: 1366, height: 900 }) =>
    openAdminPanel(browser, t.url, { viewport, consoleErrors: 'errors' });
  const signIn = (page: Page, who: AdminPanelCredentials) => signInToAdminPanel(page, who, WAIT.timeout);

  async function csrfToken(page: Page): Promise<string> {
    return page.evaluate(async () => (await (await fetch('/admin/api/session')).json()).csrfToken as string);
  }

  it('refuses a wrong password, then signs in; the session cookie is httpOnly and SameSite=Strict', async () => {
    const { context, page } = await openPanel();
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('sign-in-error').textContent(), WAIT)
      .toContain('Wrong username');

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('dashboard').waitFor(WAIT);
    expect(await page.getByTestId('current-user').textContent()).toContain('alice');

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'botloom_admin_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('botloom_admin_session');
    await context.close();
  });

  it('renders every page, system and plugin, with no console error, in English and Russian', async () => {
    const { context, page, errors } = await openPanel();
    await signIn(page, ADMIN);
    await page.getByTestId('dashboard').waitFor(WAIT);
    await page.locator('.chart canvas').first().waitFor(WAIT);
    await page.getByTestId('health-list').getByText('support').waitFor(WAIT);

    const links = page.locator('nav a.nav-link');
    // The custom test plugin's broken pages log errors on purpose: they have their own test.
    const hrefs = (await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')!))).filter(
      (h) => !h.startsWith('/admin/p/custom/'),
    );
    for (const plugin of ['support', 'memory', 'segmentation']) {
      expect(hrefs.some((h) => h.startsWith(`/admin/p/${plugin}/`))).toBe(true);
    }
    expect(hrefs.length).toBeGreaterThanOrEqual(8 + 7);
    for (const href of hrefs) {
      await page.locator(`nav a[href="${href}"]`).click();
      await page.locator('main h1').waitFor(WAIT);
      await expect.poll(() => page.locator('main .loading').count(), WAIT).toBe(0);
      expect(await page.locator('main [role="alert"]').count(), `${href} shows an error`).toBe(0);
    }
    // Plugin pages show their data.
    await page.locator('nav a[href="/admin/p/segmentation/segments"]').click();
    await expect
      .poll(() => page.getByTestId('plugin-table-segmentation-segments').locator('tbody tr').count(), WAIT)
      .toBeGreaterThan(1);
    await page.locator('nav a[href="/admin/p/support/tickets"]').click();
    await page.getByTestId('plugin-table-support-tickets').locator('tbody tr').first().click();
    await page.getByTestId('detail-fields').waitFor(WAIT);
    expect(await page.getByTestId('detail-fields').textContent()).toContain('Guest');

    await page.getByRole('button', { name: 'RU' }).click();
    await page.locator('nav a[href="/admin/"]', { hasText: 'Обзор' }).click();
    await page.locator('main h1', { hasText: 'Обзор' }).waitFor(WAIT);
    await page.locator('nav a[href="/admin/p/support/knowledge"]', { hasText: 'База знаний' }).waitFor(WAIT);
    // System pages speak Russian too: migration states and the usage grouping were shown as stored.
    await page.locator('nav a[href="/admin/migrations"]').click();
    await page.locator('main table tbody tr').first().waitFor(WAIT);
    expect(await page.locator('main table').textContent()).toContain('применена');
    expect(await page.locator('main table').textContent()).not.toContain('executed');
    await page.locator('nav a[href="/admin/usage"]').click();
    await page.locator('main select').first().waitFor(WAIT);
    expect(await page.locator('main select').first().locator('option').allTextContents()).toEqual([
      'Плагин',
      'Назначение',
      'Пользователь',
      'Модель',
      'День',
    ]);
    // Settings: core's and the plugins' descriptions in Russian too.
    await page.locator('nav a[href="/admin/settings"]').click();
    const coreSettings = page.getByTestId('settings-core');
    await coreSettings.locator('tbody tr').first().waitFor(WAIT);
    expect(await coreSettings.textContent()).toContain('HTTP-порт сервера Koa');
    expect(await coreSettings.textContent()).not.toContain('HTTP port of the Koa server');
    const support = await page.getByTestId('settings-support').textContent();
    expect(support).toContain('Максимальная длина сообщения клиента');
    expect(support).not.toContain('Longest customer message accepted');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a knowledge item and a manager from the panel, and the audit log shows who did it', async () => {
    const { context, page, errors } = await openPanel();
    await signIn(page, ADMIN);
    await page.locator('nav a[href="/admin/p/support/knowledge"]').click();
    const create = page.getByTestId('create-support-knowledge');
    await create.getByLabel('Title').fill('Delivery');
    await create.getByLabel('Content').fill('We deliver in Moscow within two days.');
    await create.getByRole('button', { name: 'Add' }).click();
    await page.getByTestId('plugin-table-support-knowledge').getByText('Delivery').waitFor(WAIT);
    const items = (await t.admin.get('/admin/api/support/knowledge')).body.items as Array<{ title: string }>;
    expect(items.map((i) => i.title)).toContain('Delivery');

    await page.locator('nav a[href="/admin/p/support/managers"]').click();
    const manager = page.getByTestId('create-support-managers');
    await manager.getByLabel('Telegram id').fill('777000111');
    await manager.getByLabel('Name').fill('Maria');
    await manager.getByRole('button', { name: 'Add' }).click();
    await page.getByTestId('plugin-table-support-managers').getByText('Maria').waitFor(WAIT);

    await page.locator('nav a[href="/admin/logs"]').click();
    const audit = page.getByTestId('audit-table');
    await audit.getByText('POST /admin/api/support/knowledge').first().waitFor(WAIT);
    expect(await audit.textContent()).toContain('POST /admin/api/support/managers');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('changes a runtime setting in Settings and the bot applies it at once', async () => {
    const { context, page, errors } = await openPanel();
    await signIn(page, ADMIN);
    await page.locator('nav a[href="/admin/settings"]').click();
    const editor = page.getByTestId('runtime-support-maxMessageChars');
    // The plugin's schema decides: support accepts 100 characters at least.
    await editor.getByRole('textbox').fill('20');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => editor.getByRole('alert').textContent(), WAIT).toContain('maxMessageChars');
    await editor.getByRole('textbox').fill('100');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByRole('button', { name: 'Reset' }).waitFor(WAIT);
    const guest = t.user('guest');
    await guest.send(`Hello! ${'Could you tell me more about delivery to my town? '.repeat(3)}`);
    await guest.expectReply(/at most 100 characters/);

    await editor.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => editor.getByRole('button', { name: 'Reset' }).count(), WAIT).toBe(0);
    // Only the refused value above (Chromium logs every 4xx response).
    expect(errors).toEqual([expect.stringContaining('status of 400')]);
    await context.close();
  });

  it('uploads a transactions CSV from the browser and shows its bad rows, then the import in the list', async () => {
    const { context, page, errors } = await openPanel();
    await signIn(page, ADMIN);
    await page.locator('nav a[href="/admin/p/segmentation/imports"]').click();
    const table = page.getByTestId('plugin-table-segmentation-imports');
    await table.locator('tbody tr').first().waitFor(WAIT);
    const before = await table.locator('tbody tr').count();
    // Other dates than the first import (so not a duplicate file), plus two bad rows.
    const csv = `${transactionsCsv().replace(/,2024-05-/g, ',2024-04-')}C9998,not-a-date,10,RUB,5411,false,Moscow,RU
C9999,2024-04-02T12:00:00Z,abc,RUB,5411,false,Moscow,RU
`;
    const upload = page.getByTestId('upload-segmentation');
    await upload.locator('input[type="file"]').setInputFiles({
      name: 'more-transactions.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await upload.getByLabel('Skip bad rows').check();
    await upload.getByRole('button', { name: 'Upload' }).click();
    const report = page.getByTestId('upload-report');
    await report.waitFor(WAIT);
    expect(await report.textContent()).toContain('Uploaded.');
    expect(await report.textContent()).toContain('completed');
    await expect.poll(() => report.locator('tbody tr').count(), WAIT).toBe(2);
    expect(await report.locator('tbody').textContent()).toContain('not-a-date');
    await expect.poll(() => table.locator('tbody tr').count(), WAIT).toBe(before + 1);

    await page.locator('nav a[href="/admin/p/segmentation/segments"]').click();
    await page.getByRole('button', { name: 'Recompute segments' }).click();
    await expect
      .poll(() => page.getByTestId('actions-segmentation-segments').textContent(), WAIT)
      .toContain('Recompute segments: done.');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a custom page module; a page that throws or was built for another panel shows an error card', async () => {
    const { context, page } = await openPanel();
    await signIn(page, ADMIN);
    await page.locator('nav a[href="/admin/p/custom/hello"]').click();
    await page.getByTestId('custom-hello').waitFor(WAIT);

    await page.locator('nav a[href="/admin/p/custom/crash"]').click();
    await page.getByTestId('page-error').waitFor(WAIT);
    expect(await page.getByTestId('page-error').textContent()).toContain('boom from the plugin page');
    expect(await page.locator('main h1').textContent()).toBe('Crash');

    await page.locator('nav a[href="/admin/p/custom/old"]').click();
    await page.getByTestId('page-incompatible').waitFor(WAIT);
    expect(await page.getByTestId('page-incompatible').textContent()).toContain(
      'built for admin panel 0.9.0',
    );

    // The rest of the panel still works.
    await page.locator('nav a[href="/admin/p/support/knowledge"]').click();
    await page.getByTestId('plugin-table-support-knowledge').getByText('Opening hours').waitFor(WAIT);
    await context.close();
  });

  it('shows a viewer no write controls, and the API refuses the viewer a write', async () => {
    const { context, page } = await openPanel();
    await signIn(page, VIEWER);
    await page.locator('nav a[href="/admin/p/support/knowledge"]').click();
    await page.getByTestId('plugin-table-support-knowledge').waitFor(WAIT);
    expect(await page.getByTestId('create-support-knowledge').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    const csrf = await csrfToken(page);
    const status = await page.evaluate(async (token) => {
      const response = await fetch('/admin/api/support/knowledge', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ title: 'x', content: 'y' }),
      });
      return response.status;
    }, csrf);
    expect(status).toBe(403);
    await context.close();
  });

  it('refuses a write from the signed-in browser without the CSRF token', async () => {
    const { context, page } = await openPanel();
    await signIn(page, ADMIN);
    const status = await page.evaluate(async () => {
      const response = await fetch('/admin/api/support/knowledge', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'forged', content: 'forged' }),
      });
      return response.status;
    });
    expect(status).toBe(403);
    const items = (await t.admin.get('/admin/api/support/knowledge')).body.items as Array<{ title: string }>;
    expect(items.map((i) => i.title)).not.toContain('forged');
    await context.close();
  });

  it('signs out: back to the sign-in form, and the old session no longer works', async () => {
    const { context, page } = await openPanel();
    await signIn(page, ADMIN);
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor(WAIT);
    await page.reload();
    await page.getByTestId('sign-in-form').waitFor(WAIT);
    const status = await page.evaluate(async () => (await fetch('/admin/api/core/plugins')).status);
    expect(status).toBe(401);
    await context.close();
  });

  it('looks like a product at phone and desktop widths (screenshots)', async () => {
    for (const [name, viewport] of [
      ['dashboard-desktop', { width: 1366, height: 900 }],
      ['dashboard-phone', { width: 390, height: 844 }],
    ] as const) {
      const { context, page, errors } = await openPanel(viewport);
      await signIn(page, ADMIN);
      await page.getByTestId('dashboard').waitFor(WAIT);
      await page.locator('.chart canvas').first().waitFor(WAIT);
      await expect.poll(() => page.locator('main .loading').count(), WAIT).toBe(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
      // Nothing spills sideways on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(errors).toEqual([]);
      if (name === 'dashboard-phone') {
        await page.getByRole('button', { name: 'Menu' }).first().click();
        await page.locator('nav a[href="/admin/jobs"]').click();
        await page.locator('main h1', { hasText: 'Jobs' }).waitFor(WAIT);
        await expect.poll(() => page.locator('main .loading').count(), WAIT).toBe(0);
        await expect
          .poll(() => page.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().right), WAIT)
          .toBeLessThanOrEqual(0);
        await page.screenshot({ path: path.join(SCREENSHOTS, 'jobs-phone.png') });
      }
      await context.close();
    }
  });
});
