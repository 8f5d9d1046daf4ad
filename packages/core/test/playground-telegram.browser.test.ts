import type { Bot } from 'grammy';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../src/sandbox/index.js';
import { chromiumAvailable } from '../src/testing/chromium.js';
import { type PlaygroundBrowser, startPlaygroundBrowser } from './support/playground-browser.js';

const hasChromium = chromiumAvailable('playground');

/** The playground as a Telegram user expects it: the "/" menu, languages, joining groups, unread badges. */
describe.skipIf(!hasChromium)('playground: what a Telegram user expects', () => {
  let playground: PlaygroundBrowser;
  let sandbox: SandboxClient;
  let bot: Bot;
  let url: string;

  beforeAll(async () => {
    playground = await startPlaygroundBrowser({
      bot: { first_name: 'Shop Bot', username: 'shop_bot' },
      async setup(bot) {
        bot.command('help', (ctx) => ctx.reply(ctx.from?.language_code === 'ru' ? 'Справка' : 'Help text'));
        bot.command('start', (ctx) => ctx.reply('Welcome!'));
        bot.command('report', (ctx) => ctx.reply('Report sent'));
        bot.on('message:new_chat_members', (ctx) =>
          ctx.reply(
            `Welcome to the group, ${ctx.message.new_chat_members.map((u) => u.first_name).join(', ')}!`,
          ),
        );
        await bot.api.setMyCommands([
          { command: 'start', description: 'Start the bot' },
          { command: 'help', description: 'What I can do' },
        ]);
        await bot.api.setMyCommands(
          [
            { command: 'start', description: 'Начать' },
            { command: 'help', description: 'Что я умею' },
          ],
          { language_code: 'ru' },
        );
        await bot.api.setMyCommands([{ command: 'report', description: 'Report a problem' }], {
          scope: { type: 'all_group_chats' },
        });
      },
    });
    ({ bot, url } = playground);
    sandbox = new SandboxClient(url);
  });

  afterAll(() => playground?.close());

  async function openPlayground(): Promise<Page> {
    const page = await playground.openPage();
    await expect.poll(() => page.locator('#bot-name').textContent(), { timeout: 15_000 }).toBe('Shop Bot');
    return page;
  }

  async function addUser(page: Page, name: string, language: string) {
    await page.getByTestId('new-user-name').fill(name);
    await page.getByTestId('new-user-language').selectOption(language);
    await page.getByTestId('new-user-create').click();
    await expect
      .poll(() => page.locator('#user-select option:checked').textContent(), { timeout: 15_000 })
      .toContain(name);
  }

  const commandItems = (page: Page) =>
    page.locator('#command-menu .command-item').evaluateAll((items) =>
      items.map((item) => ({
        command: item.querySelector('.command')?.textContent,
        description: item.querySelector('.description')?.textContent,
      })),
    );

  it('shows the bot commands when "/" is typed, filters them, and sends the chosen one', async () => {
    const page = await openPlayground();
    await addUser(page, 'Ann', 'en');
    const input = page.getByTestId('message-input');
    await input.pressSequentially('/');
    await page.getByTestId('command-menu').waitFor({ state: 'visible' });
    expect(await commandItems(page)).toEqual([
      { command: '/start', description: 'Start the bot' },
      { command: '/help', description: 'What I can do' },
    ]);
    await input.pressSequentially('he');
    expect(await commandItems(page)).toEqual([{ command: '/help', description: 'What I can do' }]);
    await page.locator('#command-menu .command-item', { hasText: '/help' }).click();
    await page.locator('.message[data-from="bot"]', { hasText: 'Help text' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('command-menu').isHidden()).toBe(true);
    expect(await input.inputValue()).toBe('');

    // Plain text never opens the menu.
    await input.fill('hello /start');
    expect(await page.getByTestId('command-menu').isHidden()).toBe(true);
    await page.close();
  });

  it('adds a user with a language: the bot and the "/" menu speak it', async () => {
    const page = await openPlayground();
    await addUser(page, 'Olga', 'ru');
    expect(await page.locator('#user-select option:checked').textContent()).toContain('· ru');
    const olga = (await sandbox.listUsers()).find((u) => u.first_name === 'Olga')!;
    expect(olga.language_code).toBe('ru');

    await page.getByTestId('message-input').pressSequentially('/');
    await page.getByTestId('command-menu').waitFor({ state: 'visible' });
    expect(await commandItems(page)).toEqual([
      { command: '/start', description: 'Начать' },
      { command: '/help', description: 'Что я умею' },
    ]);
    await page.locator('#command-menu .command-item', { hasText: '/help' }).click();
    await page.locator('.message[data-from="bot"]', { hasText: 'Справка' }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('joins a group it is not in; the group has its own commands', async () => {
    const owner = await sandbox.createUser({ first_name: 'Owner' });
    await sandbox.createChat({
      type: 'supergroup',
      title: 'Tea lovers',
      memberIds: [owner.id],
      ownerId: owner.id,
      botStatus: 'administrator',
    });
    const page = await openPlayground();
    await addUser(page, 'Ben', 'en');
    const joinable = page.getByTestId('joinable-list').locator('li', { hasText: 'Tea lovers' });
    await joinable.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('chat-list').textContent()).not.toContain('Tea lovers');
    await joinable.getByRole('button', { name: 'Join' }).click();

    await page.locator('#chat-title', { hasText: 'Tea lovers' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('chat-list').locator('li', { hasText: 'Tea lovers' }).waitFor();
    await page.locator('.service', { hasText: 'Ben joined the group' }).waitFor({ timeout: 10_000 });
    await page
      .locator('.message[data-from="bot"]', { hasText: 'Welcome to the group, Ben!' })
      .waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('joinable-list').textContent()).not.toContain('Tea lovers');

    await page.getByTestId('message-input').pressSequentially('/');
    await page.getByTestId('command-menu').waitFor({ state: 'visible' });
    expect(await commandItems(page)).toEqual([{ command: '/report', description: 'Report a problem' }]);
    await page.close();
  });

  it('marks chats and topics with unread messages until they are opened', async () => {
    const page = await openPlayground();
    await addUser(page, 'Cleo', 'en');
    const cleo = (await sandbox.listUsers()).find((u) => u.first_name === 'Cleo')!;
    await page.getByTestId('message-input').fill('/start');
    await page.getByTestId('send-button').click();
    await page.locator('.message[data-from="bot"]', { hasText: 'Welcome!' }).waitFor({ timeout: 10_000 });
    const forum = await sandbox.createChat({
      type: 'supergroup',
      title: 'Desk',
      isForum: true,
      memberIds: [cleo.id],
      ownerId: cleo.id,
      botStatus: 'administrator',
    });
    const topic = await sandbox.createTopic(forum.chat.id, cleo.id, 'Orders');
    const deskItem = page.getByTestId('chat-list').locator('li', { hasText: 'Desk' });
    await deskItem.waitFor({ timeout: 10_000 });
    const badgeOf = (item: ReturnType<Page['locator']>) => item.getByTestId('unread');

    // The bot writes in the topic while Cleo looks at her chat with the bot.
    await bot.api.sendMessage(forum.chat.id, 'Order 7 shipped', {
      message_thread_id: topic.message_thread_id,
    });
    await bot.api.sendMessage(forum.chat.id, 'Order 8 shipped', {
      message_thread_id: topic.message_thread_id,
    });
    await expect.poll(() => badgeOf(deskItem).textContent(), { timeout: 10_000 }).toBe('2');

    await deskItem.click();
    await page.locator('#chat-title', { hasText: 'Desk' }).waitFor();
    const topicButton = page.locator('#topic-bar button', { hasText: 'Orders' });
    await expect.poll(() => badgeOf(topicButton).textContent(), { timeout: 10_000 }).toBe('2');
    expect(await badgeOf(page.locator('#topic-bar button', { hasText: 'General' })).count()).toBe(0);

    await topicButton.click();
    await page.locator('.message', { hasText: 'Order 8 shipped' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => badgeOf(topicButton).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => badgeOf(deskItem).count(), { timeout: 10_000 }).toBe(0);

    // A bot message in the private chat, while the topic is open: the private chat gets a badge.
    const privateBadge = badgeOf(page.getByTestId('chat-list').locator(`li[data-chat-id="${cleo.id}"]`));
    expect(await privateBadge.count()).toBe(0);
    await bot.api.sendMessage(cleo.id, 'Your order is ready');
    const privateItem = page.getByTestId('chat-list').locator(`li[data-chat-id="${cleo.id}"]`);
    await expect.poll(() => badgeOf(privateItem).textContent(), { timeout: 10_000 }).toBe('1');
    await privateItem.click();
    await page.locator('.message', { hasText: 'Your order is ready' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => badgeOf(privateItem).count(), { timeout: 10_000 }).toBe(0);
    await page.close();
  });
});
