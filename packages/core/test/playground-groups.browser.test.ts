import { Bot } from 'grammy';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_ALLOWED_UPDATES } from '../src/bot/allowed-updates.js';
import { type BotApiEmulator, createBotApiEmulator } from '../src/sandbox/index.js';
import { chromiumAvailable, chromiumLaunchOptions } from '../src/testing/chromium.js';

const hasChromium = chromiumAvailable('playground groups');

describe.skipIf(!hasChromium)('playground: invite links and request_chat buttons', () => {
  let emulator: BotApiEmulator;
  let bot: Bot;
  let polling: Promise<void>;
  let browser: Browser;
  let url: string;
  let groupId: number;
  const joined: number[] = [];
  const shared: number[] = [];

  beforeAll(async () => {
    emulator = createBotApiEmulator({ bot: { first_name: 'Course Bot', username: 'course_bot' } });
    url = await emulator.listen(0);
    const operator = emulator.world.createUser({ first_name: 'Operator' });
    groupId = emulator.world.createChat({ type: 'supergroup', title: 'Cohort 1', memberIds: [operator.id] })
      .chat.id;
    bot = new Bot(emulator.token, { client: { apiRoot: url } });
    bot.command('start', async (ctx) => {
      const link = await ctx.api.createChatInviteLink(groupId, { member_limit: 1 });
      await ctx.reply(`Your invite: ${link.invite_link}`, {
        reply_markup: {
          keyboard: [
            [
              {
                text: 'Create my group',
                request_chat: { request_id: 1, chat_is_channel: false, chat_is_created: true },
              },
            ],
          ],
          resize_keyboard: true,
        },
      });
    });
    bot.on('chat_member', (ctx) => {
      joined.push(ctx.chatMember.new_chat_member.user.id);
    });
    bot.on('message:chat_shared', (ctx) => {
      shared.push(ctx.message.chat_shared.chat_id);
    });
    await bot.init();
    polling = bot.start({ timeout: 1, allowed_updates: BOT_ALLOWED_UPDATES });
    browser = await chromium.launch(chromiumLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await polling;
    await emulator?.close();
  });

  it('opening an invite link joins the group; the request_chat button creates and shares one', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    await page.goto(`${url}/sandbox`);
    await page.getByTestId('new-user-name').fill('Anna');
    await page.getByTestId('new-user-create').click();
    await expect
      .poll(() => page.locator('#user-select option:checked').textContent(), { timeout: 15_000 })
      .toContain('Anna');
    await page.getByTestId('message-input').fill('/start');
    await page.getByTestId('send-button').click();
    const invite = page.locator('.message[data-from="bot"]', { hasText: 'Your invite' });
    await invite.waitFor({ timeout: 10_000 });

    await invite.locator('a', { hasText: 't.me/+' }).click({ timeout: 10_000 });
    const anna = [...emulator.world.users.values()].find((u) => u.user.first_name === 'Anna')!.user.id;
    await expect
      .poll(() => emulator.world.memberStatus(emulator.world.chatState(groupId), anna), { timeout: 10_000 })
      .toBe('member');
    await expect.poll(() => joined, { timeout: 10_000 }).toContain(anna);

    // Joining opened the group; back to the chat with the bot, where its keyboard is.
    await page.locator(`[data-chat-id="${anna}"]`).first().click({ timeout: 10_000 });
    page.once('dialog', (dialog) => dialog.accept('Anna study group'));
    await page.locator('#reply-keyboard button', { hasText: 'Create my group' }).click({ timeout: 10_000 });
    await expect.poll(() => shared.length, { timeout: 10_000 }).toBe(1);
    const created = emulator.world.chatState(shared[0]!);
    expect(created.chat).toMatchObject({ type: 'supergroup', title: 'Anna study group' });
    expect(emulator.world.memberStatus(created, anna)).toBe('creator');
    await page.close();
  });
});
