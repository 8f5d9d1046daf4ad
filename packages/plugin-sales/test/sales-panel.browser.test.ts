import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AdminUserService } from '@botloom/core/runtime';
import {
  chromiumAvailable,
  chromiumLaunchOptions,
  ensureAdminUiBuilt,
  signedInAdminPanel,
  startTestApp,
  type TestApp,
} from '@botloom/core/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import salesPlugin, { DEMO_SCRIPT_FILES } from '../src/index.js';
import { ensureSalesPanelBuilt } from './support/panel-build.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/sales-panel/', import.meta.url));
const hasChromium = chromiumAvailable('sales scripts editor');
const ADMIN = { username: 'sasha', password: 'sasha password 1' };
const WAIT = { timeout: 30_000 };
const NEW_LINE = 'Could I ask two quick questions to see if the course fits you?';

describe.skipIf(!hasChromium)('sales scripts editor (custom panel page)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    await Promise.all([ensureAdminUiBuilt(), ensureSalesPanelBuilt()]);
    t = await startTestApp({
      plugins: [salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES })],
      config: { RATE_LIMIT_PER_MINUTE: 1000 },
    });
    await new AdminUserService(t.app.database!.sequelize).create({ ...ADMIN, role: 'admin' });
    browser = await chromium.launch(chromiumLaunchOptions());
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const signIn = (viewport: { width: number; height: number }) =>
    signedInAdminPanel(browser, t.url, ADMIN, { viewport });

  it('edits a stage line at phone width, shows the refusal at its field, saves, publishes, diffs and rolls back', async () => {
    const before = (await t.admin.get('/admin/api/sales/scripts/course')).body;
    const published: number = before.script.publishedVersion;
    expect(published).toBeGreaterThanOrEqual(1);
    const oldLine: string = before.draft.stages[0].lines[0];

    const { context, page, errors } = await signIn({ width: 390, height: 844 });
    await page.goto(`${t.url}/admin/p/sales/scripts`);
    await page.getByRole('button', { name: 'Open script course', exact: true }).click();
    const editor = page.getByTestId('script-editor');
    await editor.waitFor(WAIT);
    await expect
      .poll(() => editor.getByTestId('published-version').textContent(), WAIT)
      .toBe(`Published version: ${published}`);

    const stage = editor.getByTestId('stage-0');
    const line = stage.getByLabel('Line 1', { exact: true });
    expect(await line.inputValue()).toBe(oldLine);
    await line.fill(NEW_LINE);

    // An empty goal: the server's zod issue comes back with its path and shows at the field.
    const goal = stage.getByLabel('Goal', { exact: true });
    const oldGoal = await goal.inputValue();
    await goal.fill('');
    await editor.getByRole('button', { name: 'Save draft' }).click();
    const goalError = editor.getByTestId('field-error-stages.0.goal');
    await goalError.waitFor(WAIT);
    await page.screenshot({ path: `${SCREENSHOTS}editor-phone-issue.png`, fullPage: false });
    expect(await goal.getAttribute('aria-invalid')).toBe('true');
    await editor.getByTestId('issue-summary').waitFor(WAIT);
    // Nothing was saved.
    expect((await t.admin.get('/admin/api/sales/scripts/course')).body.draft.stages[0].lines[0]).toBe(
      oldLine,
    );

    await goal.fill(oldGoal);
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => editor.getByTestId('editor-notice').textContent(), WAIT).toBe('Draft saved.');
    expect(await goalError.count()).toBe(0);
    expect((await t.admin.get('/admin/api/sales/scripts/course')).body.draft.stages[0].lines[0]).toBe(
      NEW_LINE,
    );

    // The editor fits a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await editor.getByLabel('Changelog (what changed)').fill('A friendlier first question');
    await editor.getByRole('button', { name: 'Publish', exact: true }).click();
    const next = published + 1;
    await expect
      .poll(() => editor.getByTestId('editor-notice').textContent(), WAIT)
      .toBe(`Published version ${next}.`);
    await expect
      .poll(() => editor.getByTestId('published-version').textContent(), WAIT)
      .toBe(`Published version: ${next}`);

    // The tabs follow the arrow keys; the YAML tab shows the saved draft as a file.
    await editor.getByRole('tab', { name: 'Editor' }).focus();
    await page.keyboard.press('ArrowRight');
    const yaml = editor.getByLabel('Script file (YAML)');
    await yaml.waitFor(WAIT);
    expect(await yaml.inputValue()).toContain('id: course');
    expect(await yaml.inputValue()).toContain(NEW_LINE);

    // The diff between the two versions names the changed line, with both texts.
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => editor.getByRole('tab', { name: 'Versions and diff' }).getAttribute('aria-selected'), WAIT)
      .toBe('true');
    await editor.getByTestId(`version-${next}`).getByText('A friendlier first question').waitFor(WAIT);
    await editor.getByLabel('From version').selectOption(String(published));
    await editor.getByLabel('To version').selectOption(String(next));
    await editor.getByRole('button', { name: 'Show the diff' }).click();
    const diff = editor.getByTestId('diff-table');
    await diff.waitFor(WAIT);
    await page.screenshot({ path: `${SCREENSHOTS}diff-phone.png`, fullPage: true });
    const changed = diff.locator('tr', { hasText: 'stages[greeting].lines.0' });
    expect(await changed.count()).toBe(1);
    expect(await changed.textContent()).toContain(oldLine);
    expect(await changed.textContent()).toContain(NEW_LINE);

    // Rollback asks first; the confirm button takes the focus, so Enter confirms.
    await editor.getByRole('button', { name: `Roll back to ${published}` }).click();
    const confirm = editor.getByTestId('rollback-confirm');
    await confirm.waitFor(WAIT);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent), WAIT)
      .toBe('Yes, roll back');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => editor.getByTestId('editor-notice').textContent(), WAIT)
      .toBe(`Version ${next + 1} published (a rollback to ${published}).`);
    await expect
      .poll(() => editor.getByTestId('published-version').textContent(), WAIT)
      .toBe(`Published version: ${next + 1}`);

    await page.screenshot({ path: `${SCREENSHOTS}versions-phone.png`, fullPage: true });
    const after = (await t.admin.get('/admin/api/sales/scripts/course')).body;
    expect(after.script.publishedVersion).toBe(next + 1);
    const rolled = (await t.admin.get(`/admin/api/sales/scripts/course/versions/${next + 1}`)).body.version;
    expect(rolled.republishedFrom).toBe(published);
    expect(rolled.definition.stages[0].lines[0]).toBe(oldLine);
    // A new script: a one-stage skeleton, opened in the editor.
    await editor.getByRole('button', { name: 'All scripts' }).click();
    await page.getByLabel('Script id (lowercase, digits, "-")').fill('webinar');
    await page.getByLabel('Name', { exact: true }).fill('Free webinar');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect
      .poll(() => editor.getByRole('heading', { level: 2 }).first().textContent(), WAIT)
      .toBe('Script webinar');
    expect(await editor.getByTestId('stage-0').getByLabel('Goal', { exact: true }).inputValue()).toBe(
      'Free webinar',
    );
    expect((await t.admin.get('/admin/api/sales/scripts/webinar')).body.script.publishedVersion).toBeNull();

    await page.setViewportSize({ width: 1366, height: 900 });
    await editor.getByRole('tab', { name: 'Editor' }).click();
    await page.screenshot({ path: `${SCREENSHOTS}editor-desktop.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it("edits the script's education lesson (Script #2) as a form, with a refusal at its field", async () => {
    expect((await t.admin.get('/admin/api/sales/scripts/course-ru')).body.draft.education).toBeUndefined();
    const { context, page, errors } = await signIn({ width: 390, height: 844 });
    await page.goto(`${t.url}/admin/p/sales/scripts`);
    await page.getByRole('button', { name: 'Open script course-ru', exact: true }).click();
    const editor = page.getByTestId('script-editor');
    const lesson = editor.getByTestId('education-form');
    await lesson.waitFor(WAIT);
    await lesson.getByRole('button', { name: 'Write a lesson for this script' }).click();
    await lesson.getByLabel('Lesson title').fill('Бюджет: первый урок');
    await lesson
      .getByTestId('edu-stage-0')
      .getByLabel('Line 1', { exact: true })
      .fill('Добро пожаловать в группу!');

    await lesson.getByRole('button', { name: 'Add a lesson stage' }).click();
    const second = lesson.getByTestId('edu-stage-1');
    await second.locator('summary').click();
    await second.getByLabel('Stage id').fill('task-1');
    await second.getByLabel('Kind', { exact: true }).selectOption('assignment');
    await second.getByLabel('Line 1', { exact: true }).fill('Ваше первое задание.');
    await second.getByRole('button', { name: 'Add an assistant post' }).click();
    await second.getByLabel('Text', { exact: true }).fill('Доход 1500, расходы 900: остаётся 600.');
    // The assignment started with the kind; its task left empty is refused at the field.
    await second.getByTestId('edu-assignment-1').waitFor(WAIT);
    await second.getByLabel('Feedback on a good answer').fill('Отлично, вы посчитали остаток.');
    await second.getByLabel('Feedback on an answer that needs work').fill('Почти: напишите доход и расходы.');
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await editor.getByTestId('field-error-education.stages.1.assignment.task').waitFor(WAIT);
    expect((await t.admin.get('/admin/api/sales/scripts/course-ru')).body.draft.education).toBeUndefined();

    await second.getByLabel('Task', { exact: true }).fill('Посчитайте свой остаток за месяц.');
    // Lists add, move and remove their items (one ListEditor behind each); a moved stage keeps its fields.
    await second.getByRole('button', { name: 'Add a line' }).click();
    await second.getByLabel('Line 2', { exact: true }).fill('Лишняя реплика.');
    await second.getByRole('button', { name: 'Remove: Line 2', exact: true }).click();
    await expect.poll(() => second.getByLabel('Line 2', { exact: true }).count(), WAIT).toBe(0);
    await lesson.getByRole('button', { name: 'Add a lesson stage' }).click();
    const third = lesson.getByTestId('edu-stage-2');
    await third.locator('summary').click();
    await third.getByLabel('Stage id').fill('extra');
    await third.getByRole('button', { name: 'Move up: Lesson stage 3: extra', exact: true }).click();
    await expect
      .poll(() => lesson.getByTestId('edu-stage-1').getByLabel('Stage id').inputValue(), WAIT)
      .toBe('extra');
    expect(await lesson.getByTestId('edu-stage-2').getByLabel('Task', { exact: true }).inputValue()).toBe(
      'Посчитайте свой остаток за месяц.',
    );
    await lesson.getByRole('button', { name: 'Remove: Lesson stage 2: extra', exact: true }).click();
    await expect.poll(() => lesson.getByTestId('edu-stage-2').count(), WAIT).toBe(0);
    expect(await second.getByLabel('Stage id').inputValue()).toBe('task-1');
    // A silence trigger: the script-wide follow-up.
    const triggers = editor.getByTestId('triggers');
    await triggers.getByRole('button', { name: 'Add a trigger' }).click();
    const last = triggers.locator('.sales-item').last();
    await last.getByLabel('On', { exact: true }).selectOption('silence');
    await last.getByLabel('Follow-up text').fill('Вы ещё думаете о курсе?');
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => editor.getByTestId('editor-notice').textContent(), WAIT).toBe('Draft saved.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SCREENSHOTS}lesson-phone.png`, fullPage: true });

    const saved = (await t.admin.get('/admin/api/sales/scripts/course-ru')).body.draft.education;
    expect(saved.title).toBe('Бюджет: первый урок');
    expect(saved.stages.map((s: { id: string; kind: string }) => `${s.id}:${s.kind}`)).toEqual([
      'welcome:welcome',
      'task-1:assignment',
    ]);
    expect(saved.stages[1].assistantPosts).toEqual([
      { kind: 'example', text: 'Доход 1500, расходы 900: остаётся 600.' },
    ]);
    expect(saved.stages[1].assignment.task).toBe('Посчитайте свой остаток за месяц.');
    // A blank optional hint is left out rather than refused.
    expect(saved.stages[1].assignment).not.toHaveProperty('hint');
    expect((await t.admin.get('/admin/api/sales/scripts/course-ru')).body.draft.triggers).toContainEqual({
      on: 'silence',
      action: 'follow_up',
      afterHours: 24,
      text: 'Вы ещё думаете о курсе?',
    });
    // The rest of the script is untouched.
    expect((await t.admin.get('/admin/api/sales/scripts/course-ru')).body.draft.stages[0].id).toBe(
      'greeting',
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('takes a conversation over, writes to the client as the manager and hands it back', async () => {
    const ann = t.user('ann', { first_name: 'Ann', language_code: 'en' });
    await ann.send('/start sales-course');
    await ann.expectReply(/automated advisor/, { timeoutMs: 45_000 });
    await t.settled();
    const userId = await ann.id();
    const mine = async () =>
      (await t.admin.get('/admin/api/sales/conversations?limit=200')).body.conversations.find(
        (c: { userId: number }) => c.userId === userId,
      );
    expect((await mine()).status).toBe('active');

    const { context, page, errors } = await signIn({ width: 1280, height: 900 });
    await page.goto(`${t.url}/admin/p/sales/conversations`);
    // The stage filter offers the funnel's stages and narrows the list to that stage.
    const stageNow: string = (await mine()).stage;
    await expect
      .poll(() => page.getByLabel('Stage', { exact: true }).locator('option').allTextContents(), WAIT)
      .toContain(stageNow);
    await page.getByLabel('Stage', { exact: true }).selectOption(stageNow);
    expect(await page.locator('#sales-filter-status option').allTextContents()).toEqual([
      'all',
      'active',
      'taken over',
      'ended',
    ]);
    await page.getByRole('button', { name: `Open the conversation with ${userId}` }).click();
    const view = page.getByTestId('conversation-view');
    await view.waitFor(WAIT);
    await view
      .getByTestId('transcript')
      .getByText('automated advisor', { exact: false })
      .first()
      .waitFor(WAIT);

    await view.getByRole('button', { name: 'Take over' }).click();
    // The stored `paused` is shown as what it means.
    await expect.poll(() => view.getByTestId('conversation-status').textContent(), WAIT).toBe('taken over');
    expect((await mine()).takenOverBy).toBe(ADMIN.username);

    await view.getByLabel('Message to the client').fill('Hello Ann, this is Sasha from the course team.');
    await view.getByRole('button', { name: 'Send' }).click();
    await ann.expectReply(/Manager: Hello Ann, this is Sasha/, { timeoutMs: 45_000 });
    await expect.poll(() => view.getByTestId('conversation-notice').textContent(), WAIT).toBe('Sent.');

    await view.getByRole('button', { name: 'Hand back to the bot' }).click();
    await expect.poll(() => view.getByTestId('conversation-status').textContent(), WAIT).toBe('active');
    // The page follows the panel's language.
    await page.getByRole('button', { name: 'RU', exact: true }).click();
    await view.getByRole('button', { name: 'Перехватить' }).waitFor(WAIT);
    expect(await view.getByTestId('conversation-status').textContent()).toBe('идёт');
    const back = await mine();
    expect(back.status).toBe('active');
    expect(back.takenOverBy).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
