import { InlineKeyboard } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotApiEmulator } from '../src/sandbox/index.js';
import { chromiumAvailable } from '../src/testing/chromium.js';
import { type PlaygroundBrowser, startPlaygroundBrowser } from './support/playground-browser.js';

const hasChromium = chromiumAvailable('playground');

describe.skipIf(!hasChromium)('web playground in Chromium', () => {
  let playground: PlaygroundBrowser;
  let emulator: BotApiEmulator;

  beforeAll(async () => {
    playground = await startPlaygroundBrowser({
      bot: { first_name: 'Shop Bot', username: 'shop_bot' },
      setup(bot) {
        bot.command('start', (ctx) =>
          ctx.reply('Welcome to the <b>shop</b>!', {
            parse_mode: 'HTML',
            reply_markup: new InlineKeyboard().text('Catalog', 'catalog').text('Support', 'support'),
          }),
        );
        bot.callbackQuery('catalog', async (ctx) => {
          await ctx.answerCallbackQuery({ text: 'Opening the catalog' });
          await ctx.editMessageText('Catalog: tea, coffee');
        });
      },
    });
    ({ emulator } = playground);
  });

  afterAll(() => playground?.close());

  it('sends /start, shows the reply and presses a button', async () => {
    const page = await playground.openPage();
    await expect.poll(() => page.locator('#bot-name').textContent(), { timeout: 15_000 }).toBe('Shop Bot');

    await page.getByTestId('message-input').fill('/start');
    await page.getByTestId('send-button').click();
    const reply = page.locator('.message[data-from="bot"]', { hasText: 'Welcome to the shop!' });
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.locator('b').textContent()).toBe('shop');
    expect(await page.locator('.message[data-from="user"]').first().textContent()).toContain('/start');

    await page.locator('.inline-button', { hasText: 'Catalog' }).click();
    await page
      .locator('.message[data-from="bot"]', { hasText: 'Catalog: tea, coffee' })
      .waitFor({ timeout: 10_000 });
    await page.locator('#toast', { hasText: 'Opening the catalog' }).waitFor({ timeout: 10_000 });
    if (process.env.PLAYGROUND_SCREENSHOT) await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT });

    // The page drives the same sandbox state the tests see.
    const users = [...emulator.world.users.values()];
    expect(users).toHaveLength(1);
    const transcript = emulator.world.transcript(emulator.world.chatState(users[0].user.id));
    expect(transcript.map((m) => m.text)).toEqual(['/start', 'Catalog: tea, coffee']);
    await page.close();
  });

  it('creates a forum as a manager and writes in a topic', async () => {
    const page = await playground.openPage();
    await page.getByTestId('new-user-name').fill('Manager');
    await page.getByTestId('new-user-create').click();
    await expect
      .poll(() => page.locator('#user-select option:checked').textContent(), { timeout: 15_000 })
      .toContain('Manager');
    await page.locator('summary', { hasText: 'New group or channel' }).click();
    await page.locator('#new-chat-title').fill('Support desk');
    await page.locator('#new-chat-type').selectOption('forum');
    await page.locator('#new-chat-form button[type="submit"]').click();
    await page.locator('#chat-title', { hasText: 'Support desk' }).waitFor();
    page.once('dialog', (dialog) => dialog.accept('Orders'));
    await page.locator('#topic-bar button', { hasText: '+ New topic' }).click();
    await page.locator('#topic-bar button.active', { hasText: 'Orders' }).waitFor();
    await page.getByTestId('message-input').fill('Order 42 is late');
    await page.getByTestId('send-button').click();
    await page.locator('.message', { hasText: 'Order 42 is late' }).waitFor();
    const forum = [...emulator.world.chats.values()].find(
      (c) => (c.chat as { title?: string }).title === 'Support desk',
    )!;
    const topic = [...forum.topics.values()][0];
    expect(topic.topic.name).toBe('Orders');
    const inTopic = emulator.world.transcript(forum, topic.topic.message_thread_id).map((m) => m.text);
    expect(inTopic).toContain('Order 42 is late');
    await page.close();
  });

  it('the group header counts members with plural forms in the user’s language', async () => {
    const olga = emulator.world.createUser({ first_name: 'Olga', language_code: 'ru' });
    const friends = [1, 2, 3, 4].map((n) => emulator.world.createUser({ first_name: `Friend ${n}` }));
    const small = emulator.world.createChat({
      type: 'group',
      title: 'Three',
      memberIds: [olga.id, friends[0]!.id, friends[1]!.id],
    });
    const large = emulator.world.createChat({
      type: 'group',
      title: 'Five',
      memberIds: [olga.id, ...friends.map((f) => f.id)],
    });
    const page = await playground.openPage();
    await expect
      .poll(() => page.locator('#user-select option').count(), { timeout: 15_000 })
      .toBeGreaterThan(1);
    await page.locator('#user-select').selectOption(String(olga.id));
    const status = () => page.locator('#chat-status').textContent();
    await page.locator(`#chat-list li[data-chat-id="${small.chat.id}"]`).click();
    await expect.poll(status).toBe('3 участника · бот: администратор');
    await page.locator(`#chat-list li[data-chat-id="${large.chat.id}"]`).click();
    await expect.poll(status).toBe('5 участников · бот: администратор');

    await page.locator('#user-select').selectOption(String(friends[0]!.id));
    await page.locator(`#chat-list li[data-chat-id="${small.chat.id}"]`).click();
    await expect.poll(status).toBe('3 members · bot is administrator');

    const solo = emulator.world.createChat({ type: 'group', title: 'Solo', memberIds: [friends[3]!.id] });
    await page.reload();
    await expect
      .poll(() => page.locator('#user-select option').count(), { timeout: 15_000 })
      .toBeGreaterThan(1);
    await page.locator('#user-select').selectOption(String(friends[3]!.id));
    await page.locator(`#chat-list li[data-chat-id="${solo.chat.id}"]`).click();
    await expect.poll(status).toBe('1 member · bot is administrator');
    await page.close();
  });
});
