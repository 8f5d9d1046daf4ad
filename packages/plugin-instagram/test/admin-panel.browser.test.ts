/**
 * The Instagram pages of core's admin panel in a real browser: a thread handed to a person and
 * back with its row buttons and answered from the panel, a rule created and edited through its
 * condition rows and action inputs, the conversion charts drawn, an experiment
 * stopped with a winner, a draft plan's steps edited row by row, then approved from its page; the
 * live inbox list showing a new thread to an admin and a viewer without a reload.
 */
import { AdminUserService } from '@botloom/core/runtime';
import {
  chromiumAvailable,
  chromiumLaunchOptions,
  ensureAdminUiBuilt,
  signedInAdminPanel,
} from '@botloom/core/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type InstagramTestApp,
  scriptedAssistant,
  startInstagramTestApp,
} from './support/instagram-test-app.js';

const hasChromium = chromiumAvailable('instagram admin pages');
const ADMIN = { username: 'alice', password: 'alice password 1' };
const VIEWER = { username: 'victor', password: 'victor password 1' };
const WAIT = { timeout: 30_000 };

describe.skipIf(!hasChromium)(
  'instagram admin pages: row actions, forms and step rows',
  { timeout: 300_000 },
  () => {
    let t: InstagramTestApp;
    let browser: Browser;
    const llm = scriptedAssistant();

    beforeAll(async () => {
      await ensureAdminUiBuilt();
      t = await startInstagramTestApp({}, {}, { services: { llm } });
      const users = new AdminUserService(t.app.app.database!.sequelize);
      await users.create({ ...ADMIN, role: 'admin' });
      await users.create({ ...VIEWER, role: 'viewer' });
      browser = await chromium.launch(chromiumLaunchOptions());
    });

    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    async function signIn(as: { username: string; password: string } = ADMIN) {
      // Console errors apart (the default): a refused write (4xx) is logged by the browser, as it should be.
      const opened = await signedInAdminPanel(browser, t.app.url, as);
      opened.page.on('dialog', (dialog) => void dialog.accept());
      return opened;
    }

    it('hands a thread to a person and back with the row buttons', async () => {
      await t.sender.message('9201', 'Hello there');
      await t.graph.waitForSent((m) => m.recipient === '9201');
      const id = (
        await t.query<{ id: string }>('SELECT id FROM instagram_conversations WHERE thread_id = $1', ['9201'])
      )[0]!.id;
      const status = async () =>
        (await t.app.admin.get(api(`/conversations/${id}`))).body.conversation.status;

      const { context, page, errors } = await signIn();
      await page.goto(`${t.app.url}/admin/p/instagram/inbox`);
      const buttons = page.getByTestId(`row-actions-${id}`);
      await buttons.getByRole('button', { name: 'Hand to a person' }).click();
      await buttons.getByRole('button', { name: 'Hand back to the bot' }).waitFor(WAIT);
      expect(await status()).toBe('handoff');
      expect(await buttons.getByRole('button').allTextContents()).toEqual(['Hand back to the bot', 'Reply']);
      // The inbox says why the thread waits for a person.
      const why = page.getByTestId('plugin-table-instagram-inbox').getByText('Handed over by a person');
      await why.waitFor(WAIT);
      // Its status is a label, not the stored `handoff`.
      await page.getByTestId('plugin-table-instagram-inbox').getByText('Waiting for a person').waitFor(WAIT);

      // The person answers from the panel; inside 24 hours that is a plain RESPONSE.
      await buttons.getByRole('button', { name: 'Reply' }).click();
      const reply = page.getByTestId('row-action-form-reply');
      await reply.getByLabel('Your reply').fill('Hi, this is Alice from the team.');
      await reply.getByRole('button', { name: 'Send' }).click();
      const sent = await t.graph.waitForSent(
        (m) => m.recipient === '9201' && m.text === 'Hi, this is Alice from the team.',
      );
      expect([sent.messagingType, sent.tag]).toEqual(['RESPONSE', undefined]);
      await expect
        .poll(() => page.getByTestId('row-action-note').textContent(), WAIT)
        .toBe(`Reply · ${id}: done.`);

      await buttons.getByRole('button', { name: 'Hand back to the bot' }).click();
      await buttons.getByRole('button', { name: 'Hand to a person' }).waitFor(WAIT);
      expect(await status()).toBe('active');
      await why.waitFor({ ...WAIT, state: 'detached' });
      expect(errors).toEqual([]);
      await context.close();
    });

    it('shows a new thread in the live inbox list, to an admin and a viewer, without a page reload', async () => {
      const watchers = [await signIn(ADMIN), await signIn(VIEWER)];
      for (const { page } of watchers) {
        await page.goto(`${t.app.url}/admin/p/instagram/inbox`);
        await page.getByTestId('plugin-table-instagram-inbox').waitFor(WAIT);
        await page.getByTestId('live-indicator').waitFor(WAIT);
        expect(await page.getByTestId('live-indicator').textContent()).toBe('Live');
        // Survives only if the page is not loaded again.
        await page.evaluate(() => {
          (window as unknown as { sameDocument: boolean }).sameDocument = true;
        });
      }

      await t.sender.message('9301', 'Hi, a first message');
      for (const { page } of watchers) {
        await page
          .getByTestId('plugin-table-instagram-inbox')
          .getByText('9301', { exact: true })
          .first()
          .waitFor(WAIT);
        expect(
          await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
        ).toBe(true);
      }
      for (const { context, errors } of watchers) {
        expect(errors).toEqual([]);
        await context.close();
      }
    });

    it('creates and edits an auto-reply rule from the panel with condition rows and action inputs (bad input shown under its field), and stops an experiment with a winner', async () => {
      const { context, page, errors } = await signIn();
      await page.goto(`${t.app.url}/admin/p/instagram/rules`);
      const create = page.getByTestId('create-instagram-rules');
      const row = (form: typeof create, n: number) =>
        form.getByRole('group', { name: `Conditions ${n}`, exact: true });
      await create.getByLabel('Name', { exact: true }).fill('Price question');
      await create.getByLabel('Priority', { exact: true }).fill('500');
      await create.getByRole('button', { name: '+ Add a row' }).click();
      expect(await row(create, 1).getByLabel('Condition', { exact: true }).inputValue()).toBe('keywords');
      await row(create, 1).getByLabel('Values, one per line', { exact: true }).fill('price');
      expect(await row(create, 1).getByLabel('Keyword match', { exact: true }).inputValue()).toBe('word');
      // A template without its text is refused, the reason under the text input.
      await create.getByLabel('Action', { exact: true }).selectOption('template');
      await create.getByRole('button', { name: 'Add', exact: true }).click();
      await expect
        .poll(() => create.getByTestId('field-error-action.text').textContent(), WAIT)
        .toMatch(/^Invalid rule at action\.text: Required/);
      await create.getByLabel('Template text', { exact: true }).fill('Prices are on our site.');
      await create.getByRole('button', { name: 'Add', exact: true }).click();
      const listed = async () =>
        (
          (await t.app.admin.get(api('/agent/rules'))).body.items as Array<{ id: string; name: string }>
        ).filter((r) => r.name === 'Price question');
      await expect.poll(async () => (await listed()).length, WAIT).toBe(1);
      const rule = (await listed())[0]!;
      await t.sender.message('9203', 'What is the price?');
      await t.graph.waitForSent((m) => m.recipient === '9203' && m.text === 'Prices are on our site.');

      await page.goto(`${t.app.url}/admin/p/instagram/rules/${rule.id}`);
      await page.getByTestId('detail-fields').waitFor(WAIT);
      await page.getByRole('button', { name: 'Edit the rule' }).click();
      const edit = page.getByTestId('edit-instagram-rules');
      // A rule made in the panel starts enabled (the create form has no checkbox to forget).
      expect(await edit.getByLabel('Enabled', { exact: true }).isChecked()).toBe(true);
      // The stored conditions fill one row each; the action its select and inputs.
      expect(await row(edit, 1).getByLabel('Condition', { exact: true }).inputValue()).toBe('keywords');
      expect(await row(edit, 1).getByLabel('Values, one per line', { exact: true }).inputValue()).toBe(
        'price',
      );
      expect(await edit.getByLabel('Action', { exact: true }).inputValue()).toBe('template');
      expect(await edit.getByLabel('Template text', { exact: true }).inputValue()).toBe(
        'Prices are on our site.',
      );

      // A second row: not the first message of a thread; a third with a bad time, refused under the rows.
      await edit.getByRole('button', { name: '+ Add a row' }).click();
      await row(edit, 2).getByLabel('Condition', { exact: true }).selectOption('firstMessage');
      await row(edit, 2).getByLabel('Not', { exact: true }).check();
      await edit.getByRole('button', { name: '+ Add a row' }).click();
      await row(edit, 3).getByLabel('Condition', { exact: true }).selectOption('timeOfDay');
      await row(edit, 3).getByLabel('From', { exact: true }).fill('25:00');
      await row(edit, 3).getByLabel('To', { exact: true }).fill('06:00');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => edit.getByTestId('field-error-conditionRows').textContent(), WAIT)
        .toMatch(/^Invalid rule at conditions\.timeOfDay\.from: expected HH:MM/);
      await edit.getByRole('button', { name: 'Remove row 3' }).click();

      // Handoff keeps no template text: left in its input, it is named there.
      await edit.getByLabel('Action', { exact: true }).selectOption('handoff');
      await edit.getByLabel('Cooldown, s', { exact: true }).fill('60');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => edit.getByTestId('field-error-action.text').textContent(), WAIT)
        .toMatch(/Unrecognized key/);
      await edit.getByLabel('Template text', { exact: true }).fill('');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'detached', ...WAIT });
      const saved = (await t.app.admin.get(api(`/agent/rules/${rule.id}`))).body.rule;
      expect([saved.enabled, saved.priority, saved.cooldownSeconds, saved.action, saved.conditions]).toEqual([
        true,
        500,
        60,
        { type: 'handoff' },
        { keywords: { mode: 'word', values: ['price'], caseSensitive: false }, firstMessage: false },
      ]);

      const experiment = (
        await t.app.admin.post(api('/experiments'), {
          name: 'Greeting',
          kind: 'template',
          metric: 'reply',
          variantA: 'Hi!',
          variantB: 'Hello there!',
        })
      ).body.experiment as { id: string };
      await page.goto(`${t.app.url}/admin/p/instagram/experiments`);
      const actions = page.getByTestId(`row-actions-${experiment.id}`);
      await actions.getByRole('button', { name: 'Stop' }).click();
      const stop = page.getByTestId('row-action-form-stop');
      await stop.getByLabel('Promote the variant').fill('c');
      await stop.getByRole('button', { name: 'Stop the experiment' }).click();
      await expect.poll(() => stop.textContent(), WAIT).toContain('No variant "c" in this experiment');
      await stop.getByLabel('Promote the variant').fill('b');
      await stop.getByRole('button', { name: 'Stop the experiment' }).click();
      await stop.waitFor({ state: 'detached', ...WAIT });
      const stopped = (await t.app.admin.get(api(`/experiments/${experiment.id}`))).body.experiment;
      expect([stopped.status, stopped.winner]).toEqual(['stopped', 'b']);
      await expect.poll(() => actions.getByRole('button').count(), WAIT).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('draws the conversion charts on the dashboard and on the conversion and results pages, with no console error', async () => {
      const rule = await t.app.admin.post(api('/agent/rules'), {
        name: 'Sizes',
        conditionRows: [{ kind: 'keywords', values: ['size'], mode: 'word' }],
        action: { type: 'template', text: 'Sizes S to XL.' },
      });
      expect(rule.status).toBe(201);
      await t.sender.message('9401', 'Which size is it?');
      await t.graph.waitForSent((m) => m.recipient === '9401' && m.text === 'Sizes S to XL.');
      await t.sender.message('9401', 'Great, I want to buy it');
      await t.waitFor(
        async () =>
          (
            (await t.app.admin.get(api('/analytics/conversions'))).body.rules as Array<{
              name: string;
              converted: number;
            }>
          ).some((r) => r.name === 'Sizes' && r.converted === 1),
        'the conversion counted for the rule',
      );

      const { context, page, errors, consoleErrors } = await signIn();
      await page.goto(`${t.app.url}/admin/p/instagram/performance`);
      await page.getByTestId('plugin-chart-instagram-performance').locator('canvas').waitFor(WAIT);
      const table = page.getByTestId('plugin-table-instagram-performance');
      await table.getByText('Sizes', { exact: true }).waitFor(WAIT);
      await expect.poll(() => table.getByText('100%').count(), WAIT).toBeGreaterThan(0);
      await page.goto(`${t.app.url}/admin/p/instagram/conversions`);
      await page.getByTestId('plugin-chart-instagram-conversions').locator('canvas').waitFor(WAIT);

      await page.goto(`${t.app.url}/admin/`);
      const widgets = page.getByTestId('plugin-widgets');
      for (const title of ['Instagram conversions per day', 'Instagram conversion rate by rule, %, 30 days'])
        await widgets.locator('.card', { hasText: title }).locator('canvas').waitFor(WAIT);
      await widgets.getByText('Instagram conversions, 30 days').waitFor(WAIT);
      // In Russian too.
      await page.getByRole('button', { name: 'RU' }).click();
      await widgets.getByText('Доля конверсий Instagram по правилам, %, 30 дней').waitFor(WAIT);
      await page.goto(`${t.app.url}/admin/p/instagram/performance`);
      await page.locator('main h1', { hasText: 'Результаты правил и планов' }).waitFor(WAIT);
      await page.getByTestId('plugin-chart-instagram-performance').locator('canvas').waitFor(WAIT);
      expect([errors, consoleErrors]).toEqual([[], []]);
      await context.close();
    });

    it("edits a draft plan's steps row by row (a bad step shown under the field), then approves it", async () => {
      llm.script({
        match: { purpose: 'instagram.plan' },
        data: {
          name: 'Tag buyers',
          steps: [{ tool: 'tag_users', audience: { tag: 'buyer' }, tags: ['followed'] }, { tool: 'report' }],
        },
        times: 1,
      });
      const drafted = await t.app.admin.post(api('/agent/plans'), { goal: 'Tag the buyers' });
      expect(drafted.status).toBe(201);
      const plan = drafted.body.plan as { id: string };

      const { context, page, errors } = await signIn();
      await page.goto(`${t.app.url}/admin/p/instagram/plans/${plan.id}`);
      await page.getByTestId('detail-fields').waitFor(WAIT);
      await page.getByRole('button', { name: 'Edit the steps' }).click();
      const form = page.getByTestId('edit-instagram-plans');
      const row = (n: number) => form.getByRole('group', { name: `Steps ${n}`, exact: true });
      const input = (n: number, label: string) => row(n).getByLabel(label, { exact: true });
      // The drafted steps fill one row each, the audience's keys in their own inputs.
      await row(2).waitFor(WAIT);
      expect(await input(1, 'Tool').inputValue()).toBe('tag_users');
      expect(await input(1, 'Audience: tag').inputValue()).toBe('buyer');
      expect(await input(1, 'Tags to add').inputValue()).toBe('followed');
      expect(await input(2, 'Tool').inputValue()).toBe('report');

      // A tag_users step without tags is refused, the reason under the field.
      await input(1, 'Tags to add').fill('');
      await form.getByRole('button', { name: 'Save' }).click();
      const error = form.getByTestId('field-error-steps');
      await expect.poll(() => error.textContent(), WAIT).toMatch(/^Invalid step at 0\.tags: Required/);

      // Tags back, the report row removed, a send_template row added for one intent.
      await input(1, 'Tags to add').fill('followed\nvip');
      await form.getByRole('button', { name: 'Remove row 2' }).click();
      await form.getByRole('button', { name: '+ Add a row' }).click();
      await input(2, 'Tool').selectOption('send_template');
      await input(2, 'Message').fill('Thanks for your order!');
      await input(2, 'Audience: intent').fill('purchase');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached', ...WAIT });
      expect((await t.app.admin.get(api(`/agent/plans/${plan.id}`))).body.plan.steps).toEqual([
        { tool: 'tag_users', audience: { tag: 'buyer' }, tags: ['followed', 'vip'] },
        { tool: 'send_template', audience: { intent: 'purchase' }, text: 'Thanks for your order!' },
      ]);

      // The detail view has the same row actions as the list.
      const actions = page.getByTestId(`row-actions-${plan.id}`);
      expect(await actions.getByRole('button').allTextContents()).toEqual(['Approve and run', 'Reject']);
      await actions.getByRole('button', { name: 'Approve and run' }).click();
      await expect
        .poll(() => page.getByTestId('row-action-note').textContent(), WAIT)
        .toBe(`Approve and run · ${plan.id}: done.`);
      expect(['running', 'done']).toContain(
        (await t.app.admin.get(api(`/agent/plans/${plan.id}`))).body.plan.status,
      );
      const again = await t.app.admin.post(api(`/agent/plans/${plan.id}/execute`));
      expect([again.status, again.body.error.code]).toEqual([409, 'INSTAGRAM_PLAN_NOT_DRAFT']);
      expect(errors).toEqual([]);
      await context.close();
    });
  },
);
