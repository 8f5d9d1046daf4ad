/**
 * The Tickets page's "Back to the assistant" row action in core's admin panel, in Chromium:
 * shown only on tickets with or waiting for a manager, confirmed, and the customer hears back.
 */
import { rm } from 'node:fs/promises';
import { AdminUserService } from '@botloom/core/runtime';
import {
  chromiumAvailable,
  chromiumLaunchOptions,
  ensureAdminUiBuilt,
  signedInAdminPanel,
  type TestApp,
} from '@botloom/core/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW, type SupportTestApp, startSupportApp } from './support/e2e-app.js';

const hasChromium = chromiumAvailable('plugin-support admin panel');
const ADMIN = { username: 'hannah', password: 'hannah password 1' };
const WAIT = { timeout: 30_000 };

let s: SupportTestApp;
let t: TestApp;
let browser: Browser;

describe.skipIf(!hasChromium)('hand-back from the admin panel', () => {
  beforeAll(async () => {
    await ensureAdminUiBuilt();
    s = await startSupportApp();
    t = s.t;
    await new AdminUserService(t.app.database!.sequelize).create({ ...ADMIN, role: 'admin' });
    browser = await chromium.launch(chromiumLaunchOptions());
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await s?.t.stop();
    if (s) await rm(s.kbDir, { recursive: true, force: true });
  });

  it('the row action returns a handed-off ticket to the assistant after a confirmation', async () => {
    // One ticket with the assistant, one handed off.
    const amy = t.user('amy_panel', { first_name: 'Amy', language_code: 'en' });
    await amy.send('How big is the deposit?');
    await amy.expectReply(/300 euros/);
    const ben = t.user('ben_panel', { first_name: 'Ben', language_code: 'en' });
    await ben.send('Do you rent yachts?');
    await ben.expectReply("I can't answer that, shall I call a manager?");
    await ben.press('🙋 Call a manager');
    await ben.expectReply(/called a manager/, SLOW);
    const amyTicket = await s.latestTicketOf(await amy.id());
    const benTicket = await s.latestTicketOf(await ben.id());

    const { context, page, errors } = await signedInAdminPanel(browser, t.url, ADMIN);
    await page.locator('nav a[href="/admin/p/support/tickets"]').click();

    const table = page.getByTestId('plugin-table-support-tickets');
    const benActions = table.getByTestId(`row-actions-${benTicket.id}`);
    await benActions.waitFor(WAIT);
    // The assistant's own ticket can be closed, not handed back.
    const amyActions = table.getByTestId(`row-actions-${amyTicket.id}`);
    expect(await amyActions.locator('button[data-action="handback"]').count()).toBe(0);
    expect(await amyActions.locator('button[data-action="close"]').count()).toBe(1);

    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('Hand this ticket back to the assistant?');
      void dialog.accept();
    });
    await benActions.getByRole('button', { name: 'Back to the assistant' }).click();
    await expect
      .poll(() => page.getByTestId('row-action-note').textContent(), WAIT)
      .toContain('Back to the assistant');
    await ben.expectReply(/The assistant is answering you again in request #\d+/, SLOW);
    expect((await s.latestTicketOf(await ben.id())).status).toBe('ai');
    // The list is reloaded: the ticket is with the assistant, so the action is gone.
    await expect.poll(() => benActions.locator('button[data-action="handback"]').count(), WAIT).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('in Russian, ticket statuses, channels and the status filter are shown in Russian, not as stored', async () => {
    const closed = t.user('cleo_panel', { first_name: 'Cleo', language_code: 'ru' });
    await closed.send('How big is the deposit?');
    await closed.expectReply(/300 euros/);
    const ticket = await s.latestTicketOf(await closed.id());
    expect((await t.admin.post(`/admin/api/support/tickets/${ticket.id}/close`, {})).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${t.url}/admin/`);
    await page.getByLabel('Имя пользователя').fill(ADMIN.username);
    await page.getByLabel('Пароль').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByTestId('current-user').waitFor(WAIT);
    await page.locator('nav a[href="/admin/p/support/tickets"]').click();
    const table = page.getByTestId('plugin-table-support-tickets');
    const row = table.locator('tbody tr', { hasText: 'Cleo' });
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('Закрыто');
    expect(await row.textContent()).toContain('Чат с ботом');
    expect(await table.textContent()).not.toMatch(/\b(closed|waiting_manager|with_manager)\b/);
    const options = await page.locator('#filter-status option').allTextContents();
    expect(options).toEqual(['все', 'У ассистента', 'Ждёт менеджера', 'У менеджера', 'Закрыто']);
    // The filter still sends the stored value.
    await page.locator('#filter-status').selectOption({ label: 'Закрыто' });
    await expect.poll(() => table.textContent(), WAIT).not.toContain('У ассистента');
    expect(await table.textContent()).toContain('Закрыто');
    await context.close();
  }, 180_000);
});
