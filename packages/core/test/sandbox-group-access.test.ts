import { Api, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_ALLOWED_UPDATES } from '../src/bot/allowed-updates.js';
import {
  type BotApiEmulator,
  createBotApiEmulator,
  generateBotToken,
  SandboxClient,
  SandboxClientError,
  SandboxGroups,
} from '../src/sandbox/index.js';

/** Drains the bot's queue the way the app polls it (with the app's allowed_updates). */
async function drain(api: Api): Promise<Update[]> {
  const updates = await api.getUpdates({ timeout: 0, allowed_updates: BOT_ALLOWED_UPDATES });
  if (updates.length)
    await api.getUpdates({ offset: updates[updates.length - 1]!.update_id + 1, timeout: 0 });
  return updates;
}

async function telegramError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) return error.description;
    throw error;
  }
  throw new Error('expected a Telegram error');
}

async function controlError(promise: Promise<unknown>): Promise<SandboxClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SandboxClientError) return error;
    throw error;
  }
  throw new Error('expected a control API error');
}

describe('sandbox: invite links, join requests, request_chat and further bots', () => {
  let emulator: BotApiEmulator;
  let api: Api;
  let client: SandboxClient;
  let groups: SandboxGroups;
  let url: string;

  beforeAll(async () => {
    emulator = createBotApiEmulator();
    url = await emulator.listen(0);
    api = new Api(emulator.token, { apiRoot: url });
    client = new SandboxClient(url);
    groups = new SandboxGroups(client);
  });

  afterAll(() => emulator.close());

  it('a single-use invite link lets one person in: chat_member, new_chat_members, then the limit', async () => {
    const owner = await client.user('owner_one').id();
    const group = await client.createChat({ type: 'supergroup', title: 'Cohort 1', memberIds: [owner] });
    await drain(api);
    const link = await api.createChatInviteLink(group.chat.id, { name: 'for anna', member_limit: 1 });
    expect(link).toMatchObject({
      member_limit: 1,
      creates_join_request: false,
      is_revoked: false,
      name: 'for anna',
    });
    expect(link.invite_link).toMatch(/^https:\/\/t\.me\/\+/);

    const anna = await client.user('anna_joins').id();
    expect(await groups.joinByLink(anna, link.invite_link)).toEqual({
      status: 'joined',
      chatId: group.chat.id,
    });
    const updates = await drain(api);
    const joined = updates.find((u) => u.chat_member)?.chat_member;
    expect(joined).toMatchObject({
      chat: { id: group.chat.id },
      from: { id: anna },
      old_chat_member: { status: 'left' },
      new_chat_member: { status: 'member', user: { id: anna } },
      invite_link: { invite_link: link.invite_link },
    });
    expect(updates.find((u) => u.message?.new_chat_members)?.message?.new_chat_members?.[0]?.id).toBe(anna);
    expect((await api.getChatMember(group.chat.id, anna)).status).toBe('member');

    const boris = await client.user('boris_late').id();
    const refused = await controlError(groups.joinByLink(boris, link.invite_link));
    expect(refused.code).toBe('SANDBOX_INVITE_LIMIT');
    expect((await api.getChatMember(group.chat.id, boris)).status).toBe('left');
    expect((await groups.inviteLinks(group.chat.id)).links[0]).toMatchObject({ joined: 1 });
  });

  it('chat_member is not delivered to a bot that did not ask for it (Telegram default)', async () => {
    const owner = await client.user('owner_two').id();
    const group = await client.createChat({ type: 'supergroup', title: 'Cohort 2', memberIds: [owner] });
    const link = await api.createChatInviteLink(group.chat.id, { member_limit: 5 });
    await api.getUpdates({ timeout: 0, allowed_updates: [] });
    await drain(api);
    await groups.joinByLink(await client.user('default_dan').id(), link.invite_link);
    const updates = await api.getUpdates({ timeout: 0, allowed_updates: [] });
    expect(updates.some((u) => u.chat_member)).toBe(false);
    expect(updates.some((u) => u.message?.new_chat_members)).toBe(true);
    await api.getUpdates({ offset: updates[updates.length - 1]!.update_id + 1, timeout: 0 });
  });

  it('revoked links and links of bots that are not admins fail like Telegram', async () => {
    const owner = await client.user('owner_three').id();
    const group = await client.createChat({ type: 'supergroup', title: 'Cohort 3', memberIds: [owner] });
    const link = await api.createChatInviteLink(group.chat.id, { member_limit: 1 });
    const revoked = await api.revokeChatInviteLink(group.chat.id, link.invite_link);
    expect(revoked.is_revoked).toBe(true);
    const error = await controlError(
      groups.joinByLink(await client.user('vera_late').id(), link.invite_link),
    );
    expect(error.code).toBe('SANDBOX_INVITE_EXPIRED');

    expect(
      await telegramError(
        api.createChatInviteLink(group.chat.id, { member_limit: 1, creates_join_request: true }),
      ),
    ).toMatch(/member limit can't be specified/);

    const plain = await client.createChat({
      type: 'supergroup',
      title: 'Bot is a member only',
      memberIds: [owner],
      botStatus: 'member',
    });
    expect(await telegramError(api.createChatInviteLink(plain.chat.id))).toMatch(/not enough rights/);
    await drain(api);
  });

  it('a link with approval files a join request the bot approves or declines', async () => {
    const owner = await client.user('owner_four').id();
    const group = await client.createChat({ type: 'supergroup', title: 'Cohort 4', memberIds: [owner] });
    const link = await api.createChatInviteLink(group.chat.id, { creates_join_request: true });
    await drain(api);
    const gala = await client.user('gala_asks').id();
    const oleg = await client.user('oleg_asks').id();
    expect((await groups.joinByLink(gala, link.invite_link)).status).toBe('requested');
    expect((await groups.joinByLink(oleg, link.invite_link)).status).toBe('requested');
    const requests = (await drain(api)).filter((u) => u.chat_join_request).map((u) => u.chat_join_request!);
    expect(requests.map((r) => r.from.id)).toEqual([gala, oleg]);
    expect(requests[0]).toMatchObject({ user_chat_id: gala, invite_link: { invite_link: link.invite_link } });

    expect(await api.approveChatJoinRequest(group.chat.id, gala)).toBe(true);
    expect(await api.declineChatJoinRequest(group.chat.id, oleg)).toBe(true);
    expect(await telegramError(api.approveChatJoinRequest(group.chat.id, oleg))).toMatch(
      /HIDE_REQUESTER_MISSING/,
    );
    const after = await drain(api);
    expect(after.find((u) => u.chat_member)?.chat_member).toMatchObject({
      new_chat_member: { status: 'member', user: { id: gala } },
      via_join_request: true,
    });
    expect((await api.getChatMember(group.chat.id, gala)).status).toBe('member');
    expect((await api.getChatMember(group.chat.id, oleg)).status).toBe('left');
  });

  it('request_chat: the person creates a group with the bot as admin and the bot gets chat_shared', async () => {
    const kira = client.user('kira_creates');
    const kiraId = await kira.id();
    await kira.send('hello');
    await api.sendMessage(kiraId, 'Create your study group', {
      reply_markup: {
        keyboard: [
          [
            {
              text: 'Create a group',
              request_chat: {
                request_id: 7,
                chat_is_channel: false,
                chat_is_created: true,
                bot_is_member: true,
                bot_administrator_rights: { can_invite_users: true } as never,
                request_title: true,
              },
            },
          ],
        ],
        resize_keyboard: true,
      },
    });
    await drain(api);
    const { chatId, message } = await groups.requestChat({ userId: kiraId, title: "Kira's study group" });
    expect(message.chat_shared).toEqual({ request_id: 7, chat_id: chatId, title: "Kira's study group" });
    const updates = await drain(api);
    expect(updates.find((u) => u.my_chat_member)?.my_chat_member).toMatchObject({
      chat: { id: chatId, type: 'supergroup' },
      new_chat_member: { status: 'administrator', can_invite_users: true },
    });
    expect(updates.find((u) => u.message?.chat_shared)?.message).toMatchObject({
      chat: { id: kiraId },
      from: { id: kiraId },
      chat_shared: { request_id: 7, chat_id: chatId },
    });
    expect((await api.getChatMember(chatId, kiraId)).status).toBe('creator');
    // The bot can now make invite links there.
    expect((await api.createChatInviteLink(chatId, { member_limit: 1 })).member_limit).toBe(1);

    // A group the person does not own does not fit a chat_is_created button.
    const other = await client.createChat({
      type: 'supergroup',
      title: 'Not hers',
      memberIds: [await client.user('someone_else').id(), kiraId],
    });
    const refused = await controlError(groups.requestChat({ userId: kiraId, existingChatId: other.chat.id }));
    expect(refused.code).toBe('SANDBOX_NOT_ADMIN');
    await drain(api);
  });

  it('further bots: each has its own getMe, sends into groups it was added to, as itself', async () => {
    const token = generateBotToken();
    const registered = await groups.addBot({
      token,
      first_name: 'Course Assistant (bot)',
      username: 'course_helper_bot',
    });
    const helper = new Api(token, { apiRoot: url });
    const me = await helper.getMe();
    expect(me).toMatchObject({ id: registered.bot.id, is_bot: true, username: 'course_helper_bot' });
    expect((await api.getMe()).id).not.toBe(me.id);

    const owner = await client.user('owner_five').id();
    const group = await client.createChat({ type: 'supergroup', title: 'Cohort 5', memberIds: [owner] });
    expect(await telegramError(helper.sendMessage(group.chat.id, 'hi'))).toMatch(/not a member/);
    await groups.addBotToChat(group.chat.id, me.id, { byUserId: owner });
    await drain(api);

    const sent = await helper.sendMessage(group.chat.id, '🤖 Assistant: a worked example');
    expect(sent.from).toMatchObject({ id: me.id, is_bot: true, username: 'course_helper_bot' });
    const transcript = await client.transcript(group.chat.id);
    expect(transcript.at(-1)).toMatchObject({ text: '🤖 Assistant: a worked example', from: { id: me.id } });
    // The main bot does not receive another bot's message, and cannot edit it.
    expect((await drain(api)).some((u) => u.message?.text?.includes('worked example'))).toBe(false);
    expect(await telegramError(api.editMessageText(group.chat.id, sent.message_id, 'changed'))).toMatch(
      /can't be edited/,
    );
    // It only sends: no updates for it, and it cannot write to people privately.
    expect(await telegramError(helper.getUpdates())).toMatch(/only sends/);
    expect(await telegramError(helper.sendMessage(owner, 'hello'))).toMatch(/can't initiate/);
    const unknown = await fetch(`${url}/bot${generateBotToken()}/getMe`);
    expect(unknown.status).toBe(401);
  });
});
