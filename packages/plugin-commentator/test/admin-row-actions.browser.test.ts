import { AdminUserService } from '@botloom/core/runtime';
import {
  chromiumAvailable,
  chromiumLaunchOptions,
  ensureAdminUiBuilt,
  signedInAdminPanel,
  startTestApp,
  type TestApp,
} from '@botloom/core/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { createChannel, eventually, type SandboxChannel, servicesOf } from './support/helpers.js';

const hasChromium = chromiumAvailable('commentator approval queue');
const OWNER = 640_001;
const API = '/admin/api/commentator';
const ADMIN = { username: 'alice', password: 'alice password 1' };
const VIEWER = { username: 'victor', password: 'victor password 1' };
const WAIT = { timeout: 30_000 };

interface Draft {
  id: number;
  status: string;
  text: string;
  postText: string;
}

describe.skipIf(!hasChromium)(
  'approval queue: per-row actions in the admin panel',
  { timeout: 300_000 },
  () => {
    let t: TestApp;
    let browser: Browser;
    let ch: SandboxChannel;

    beforeAll(async () => {
      await ensureAdminUiBuilt();
      t = await startTestApp({ plugins: [commentatorPlugin({ brandName: 'Acme', minSpacingSeconds: 0 })] });
      const users = new AdminUserService(t.app.database!.sequelize);
      await users.create({ ...ADMIN, role: 'admin' });
      await users.create({ ...VIEWER, role: 'viewer' });
      await t.sandbox.createUser({ id: OWNER, first_name: 'Olga' });
      ch = await createChannel(t, OWNER, 'Acme news');
      expect((await t.admin.post(`${API}/channels`, { chatId: ch.channelId })).status).toBe(201);
      browser = await chromium.launch(chromiumLaunchOptions());
    });

    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    /** Posts in the channel and waits for the pending draft that answers it. */
    async function pendingDraftFor(postText: string): Promise<Draft> {
      await t.sandbox.postInChannel(ch.channelId, postText, OWNER);
      return eventually(async () => {
        const res = await t.admin.get(`${API}/drafts?status=pending&limit=200`);
        return (res.body.items as Draft[]).find((d) => d.postText === postText) ?? null;
      });
    }

    async function draft(id: number): Promise<Draft> {
      return (await t.admin.get(`${API}/drafts/${id}`)).body.draft;
    }

    async function open(
      who: { username: string; password: string },
      viewport = { width: 1366, height: 900 },
    ) {
      const { context, page, errors } = await signedInAdminPanel(browser, t.url, who, { viewport });
      await page.goto(`${t.url}/admin/p/commentator/approval`);
      await page.getByTestId('plugin-table-commentator-approval').waitFor(WAIT);
      return { context, page, errors };
    }

    const actions = (page: Page, id: number) => page.getByTestId(`row-actions-${id}`);

    it('an admin approves a draft with its row button, edits and approves another by keyboard, and is told when one was already decided', async () => {
      const first = await pendingDraftFor('We opened a second shop downtown.');
      const second = await pendingDraftFor('New helmets are in stock.');
      const third = await pendingDraftFor('Our summer sale starts on Monday.');
      const { context, page, errors } = await open(ADMIN);

      // The queue opens on the pending drafts, each with its buttons.
      expect(await page.getByLabel('Status').inputValue()).toBe('pending');
      // The filter and the rows name statuses in words, not as stored (`pending`).
      expect(await page.locator('#filter-status option:checked').textContent()).toBe('Waiting for approval');
      for (const d of [first, second, third]) await actions(page, d.id).waitFor(WAIT);
      expect(await actions(page, first.id).getByRole('button').allTextContents()).toEqual([
        'Approve',
        'Edit and approve',
        'Reject',
      ]);

      await actions(page, first.id).getByRole('button', { name: 'Approve', exact: true }).click();
      await actions(page, first.id).waitFor({ state: 'detached', ...WAIT });
      expect(await page.getByTestId('row-action-note').textContent()).toBe(`Approve · ${first.id}: done.`);
      expect(['scheduled', 'sending', 'sent']).toContain((await draft(first.id)).status);
      // The API refuses a second decision with a named conflict.
      const again = await t.admin.post(`${API}/drafts/${first.id}/approve`);
      expect([again.status, again.body.error.code]).toEqual([409, 'DRAFT_NOT_PENDING']);

      // Keyboard only: the button opens a form focused on the draft's text.
      await actions(page, second.id).getByRole('button', { name: 'Edit and approve' }).focus();
      await page.keyboard.press('Enter');
      const form = page.getByTestId('row-action-form-edit-approve');
      await form.waitFor(WAIT);
      const text = form.getByLabel('Comment');
      await expect.poll(() => text.evaluate((el) => el === document.activeElement), WAIT).toBe(true);
      expect(await text.inputValue()).toBe(second.text);
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Great helmets, we tried them on!');
      await form.getByRole('button', { name: 'Approve this text' }).click();
      await actions(page, second.id).waitFor({ state: 'detached', ...WAIT });
      await form.waitFor({ state: 'detached', ...WAIT });
      const edited = await draft(second.id);
      expect(edited.status).not.toBe('pending');
      // The plugin adds the disclosure line under the approved text.
      expect(edited.text).toMatch(/^Great helmets, we tried them on!\n/);

      // Someone else decides the third draft while the page still offers its buttons.
      expect((await t.admin.post(`${API}/drafts/${third.id}/approve`)).status).toBe(200);
      page.once('dialog', (dialog) => {
        expect(dialog.message()).toBe('Reject this draft? It will not be sent.');
        void dialog.accept();
      });
      await actions(page, third.id).getByRole('button', { name: 'Reject' }).click();
      const note = page.getByTestId('row-action-note');
      await expect
        .poll(() => note.textContent(), WAIT)
        .toMatch(/^Reject · \d+: Only pending drafts can be rejected/);
      expect(await note.textContent()).toContain('(DRAFT_NOT_PENDING)');
      expect(await note.getAttribute('role')).toBe('alert');
      // The list was reloaded: the stale row is gone.
      await actions(page, third.id).waitFor({ state: 'detached', ...WAIT });
      expect((await draft(third.id)).status).not.toBe('rejected');
      expect(errors).toEqual([]);
      await context.close();
    });

    it('a viewer sees the queue without buttons; on a phone an admin gets the buttons in the row card', async () => {
      const waiting = await pendingDraftFor('We are hiring mechanics.');
      const viewer = await open(VIEWER);
      const table = viewer.page.getByTestId('plugin-table-commentator-approval');
      await table.getByText(waiting.postText).waitFor(WAIT);
      expect(await viewer.page.locator('[data-testid^="row-actions-"]').count()).toBe(0);
      expect(await table.locator('th').allTextContents()).not.toContain('Actions');
      expect(await viewer.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      expect((await t.viewer.post(`${API}/drafts/${waiting.id}/approve`)).status).toBe(403);
      await viewer.context.close();

      const phone = await open(ADMIN, { width: 390, height: 844 });
      const buttons = actions(phone.page, waiting.id);
      await buttons.waitFor(WAIT);
      expect(await phone.page.locator('table.table-cards thead').isVisible()).toBe(false);
      const approve = buttons.getByRole('button', { name: 'Approve', exact: true });
      expect(await approve.isVisible()).toBe(true);
      const box = (await approve.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      const overflow = await phone.page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await approve.click();
      await buttons.waitFor({ state: 'detached', ...WAIT });
      expect((await draft(waiting.id)).status).not.toBe('pending');
      expect(phone.errors).toEqual([]);
      await phone.context.close();
    });

    it('an admin switches "never comment" on a channel, resumes a paused account and edits its voice guide from the panel', async () => {
      const { context, page, errors } = await open(ADMIN);
      const channels = (await t.admin.get(`${API}/channels`)).body.items;
      const channel = channels.find((c: { chatId: number }) => c.chatId === ch.channelId);
      await page.goto(`${t.url}/admin/p/commentator/channels`);
      const table = page.getByTestId('plugin-table-commentator-channels');
      await table
        .getByRole('row', { name: /Acme news/ })
        .getByRole('button', { name: 'Edit' })
        .click();
      const edit = page.getByTestId('edit-commentator-channels');
      await edit.waitFor(WAIT);
      // The form starts from the row: the untouched switch and the empty cap keep their values.
      expect(await edit.getByLabel('Never comment here').isChecked()).toBe(false);
      await edit.getByLabel('Never comment here').check();
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'detached', ...WAIT });
      const switched = (await t.admin.get(`${API}/channels`)).body.items.find(
        (c: { id: number }) => c.id === channel.id,
      );
      expect(switched).toMatchObject({ neverComment: true, autoApprove: false, dailyCap: null });
      await t.admin.patch(`${API}/channels/${channel.id}`, { neverComment: false });

      // PEER_FLOOD paused the account: a person resumes it here, no API call needed.
      const botAccount = channel.accountId as number;
      await servicesOf(t).security.pause(botAccount, 'peer_flood', null);
      await page.goto(`${t.url}/admin/p/commentator/accounts`);
      const row = actions(page, botAccount);
      await row.waitFor(WAIT);
      // The bot has no login and is always in use: no health check, log out or deactivate on its row.
      expect(await row.getByRole('button').allTextContents()).toEqual([
        'Resume',
        'Disclosure and caps',
        'Voice guide',
      ]);
      page.once('dialog', (dialog) => {
        expect(dialog.message()).toMatch(/^Resume this account\?/);
        void dialog.accept();
      });
      await row.getByRole('button', { name: 'Resume' }).click();
      await expect
        .poll(() => page.getByTestId('row-action-note').textContent(), WAIT)
        .toBe(`Resume · ${botAccount}: done.`);
      const resumed = (await t.admin.get(`${API}/accounts`)).body.items.find(
        (a: { id: number }) => a.id === botAccount,
      );
      expect(resumed).toMatchObject({ status: 'active', pauseReason: null });
      const log = (await t.admin.get(`${API}/accounts/${botAccount}/log`)).body.items;
      expect(log.map((e: { event: string }) => e.event)).toEqual(
        expect.arrayContaining(['paused', 'resumed']),
      );

      await actions(page, botAccount).getByRole('button', { name: 'Disclosure and caps' }).click();
      const form = page.getByTestId('row-action-form-settings');
      await form.waitFor(WAIT);
      expect(await form.getByLabel('Add the disclosure line').isChecked()).toBe(true);
      await form.getByLabel('Disclosure text (empty: "— name")').fill('— Acme team (official)');
      await form.getByLabel('Comments per hour (empty: the default)').fill('2');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached', ...WAIT });
      const saved = (await t.admin.get(`${API}/accounts`)).body.items.find(
        (a: { id: number }) => a.id === botAccount,
      );
      expect(saved).toMatchObject({
        disclosureEnabled: true,
        disclosureText: '— Acme team (official)',
        hourlyCap: 2,
        dailyCap: null,
      });

      // The voice guide: how this account writes, one interest per line; saved whole.
      await actions(page, botAccount).getByRole('button', { name: 'Voice guide' }).click();
      const voice = page.getByTestId('row-action-form-voice');
      await voice.waitFor(WAIT);
      await voice.getByLabel('How this account writes').fill('Short answers from the shop team.');
      await voice.getByLabel('Tone', { exact: true }).fill('friendly');
      await voice.getByLabel('Interests (one per line)').fill('city bikes\nrepairs');
      await voice.getByRole('button', { name: 'Save the voice guide' }).click();
      await voice.waitFor({ state: 'detached', ...WAIT });
      const voiced = (await t.admin.get(`${API}/accounts`)).body.items.find(
        (a: { id: number }) => a.id === botAccount,
      );
      expect(voiced.voice).toEqual({
        style: 'Short answers from the shop team.',
        tone: 'friendly',
        interests: ['city bikes', 'repairs'],
        vocabulary: [],
        phrases: [],
      });
      expect(voiced.disclosureText).toBe('— Acme team (official)');
      // Opened again, the form starts from the saved guide.
      await actions(page, botAccount).getByRole('button', { name: 'Voice guide' }).click();
      await voice.waitFor(WAIT);
      expect(await voice.getByLabel('Interests (one per line)').inputValue()).toBe('city bikes\nrepairs');
      expect(errors).toEqual([]);
      await context.close();
    });
  },
);
