import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_ALLOWED_UPDATES } from '../src/bot/allowed-updates.js';
import type { BotApiEmulator } from '../src/sandbox/index.js';
import { chromiumAvailable } from '../src/testing/chromium.js';
import { type PlaygroundBrowser, startPlaygroundBrowser } from './support/playground-browser.js';

const hasChromium = chromiumAvailable('playground groups');

describe.skipIf(!hasChromium)('playground: invite links and request_chat buttons', () => {
  let playground: PlaygroundBrowser;
  let emulator: BotApiEmulator;
  let groupId: number;
  const joined: number[] = [];
  const shared: number[] = [];

  beforeAll(async () => {
    playground = await startPlaygroundBrowser({
      bot: { first_name: 'Course Bot', username: 'course_bot' },
      allowedUpdates: BOT_ALLOWED_UPDATES,
      setup(bot, { world }) {
        const operator = world.createUser({ first_name: 'Operator' });
        groupId = world.createChat({ type: 'supergroup', title: 'Cohort 1', memberIds: [operator.id] }).chat
          .id;
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
      },
    });
    ({ emulator } = playground);
  });

  afterAll(() => playground?.close());

  it('opening an invite link joins the group; the request_chat button creates and shares one', async () => {
    const page = await playground.openPage();
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
