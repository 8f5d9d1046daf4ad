import { Api, InputFile } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BotApiEmulator,
  createBotApiEmulator,
  SandboxClient,
  SandboxClientError,
  signWebAppInitData,
  verifyWebAppInitData,
} from '../src/sandbox/index.js';

const PNG_2X3 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAC56t6BAAAAEklEQVR42mP8z8DwnwEJMBIWAACNlgT9kGwgPwAAAABJRU5ErkJggg==',
  'base64',
);

describe('sandbox control API', () => {
  let emulator: BotApiEmulator;
  let api: Api;
  let client: SandboxClient;
  let url: string;

  beforeAll(async () => {
    emulator = createBotApiEmulator({ token: '123456:TEST_token_for_the_sandbox_abcdefgh' });
    url = await emulator.listen(0);
    api = new Api(emulator.token, { apiRoot: url });
    client = new SandboxClient(url);
  });

  afterAll(() => emulator.close());

  it('files sent by users reach the bot and download through getFile and the file URL', async () => {
    const ivan = client.user('ivan_user');
    const photo = await ivan.sendPhoto({ data: PNG_2X3, fileName: 'dot.png' }, 'a dot');
    expect(photo.photo?.[0]).toMatchObject({ width: 2, height: 3, file_size: PNG_2X3.length });
    expect(photo.caption).toBe('a dot');
    const file = await api.getFile(photo.photo![0].file_id);
    const download = await fetch(`${url}/file/bot${emulator.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG_2X3);

    const doc = await ivan.sendDocument({ data: Buffer.from('hello, csv'), fileName: 'report.csv' });
    expect(doc.document).toMatchObject({ file_name: 'report.csv', mime_type: 'text/csv', file_size: 10 });
    const updates = await api.getUpdates();
    expect(updates.map((u) => u.message?.document?.file_name ?? u.message?.caption)).toEqual([
      'a dot',
      'report.csv',
    ]);
    await api.getUpdates({ offset: updates[updates.length - 1].update_id + 1, timeout: 0 });
  });

  it('the bot uploads photos and documents (multipart) and re-sends them by file_id', async () => {
    const chatId = await client.user('ivan_user').id();
    const sent = await api.sendDocument(chatId, new InputFile(Buffer.from('%PDF-1.4 fake'), 'invoice.pdf'), {
      caption: '<b>Invoice</b>',
      parse_mode: 'HTML',
    });
    expect(sent.document).toMatchObject({ file_name: 'invoice.pdf', mime_type: 'application/pdf' });
    expect(sent.caption_entities).toEqual([{ type: 'bold', offset: 0, length: 7 }]);
    const again = await api.sendDocument(chatId, sent.document!.file_id);
    expect(again.document?.file_unique_id).toBe(sent.document?.file_unique_id);
    const photo = await api.sendPhoto(chatId, new InputFile(PNG_2X3, 'p.png'));
    const served = await fetch(`${url}/control/files/${photo.photo![0].file_id}`);
    expect(served.headers.get('content-type')).toBe('image/png');
  });

  it('groups, forum topics written by users, and channels with a discussion group', async () => {
    const owner = await client.createUser({ first_name: 'Olga', username: 'olga_owner' });
    const member = await client.createUser({ first_name: 'Max' });
    const forum = await client.createChat({
      type: 'supergroup',
      title: 'Managers',
      isForum: true,
      memberIds: [owner.id, member.id],
    });
    expect(forum.chat).toMatchObject({ type: 'supergroup', is_forum: true, title: 'Managers' });
    const topic = await client.createTopic(forum.chat.id, owner.id, 'Ticket #1');
    const inTopic = await client.user('max').in(forum.chat.id, topic.message_thread_id);
    // `client.user('max')` is a new sandbox user; a stranger cannot write in the group.
    await expect(inTopic.send('hi')).rejects.toBeInstanceOf(SandboxClientError);
    const msg = await client.sendMessage(member.id, 'Customer asks about refunds', {
      chatId: forum.chat.id,
      threadId: topic.message_thread_id,
    });
    expect(msg).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });

    const channel = await client.createChat({
      type: 'channel',
      title: 'News',
      username: 'news_channel',
      ownerId: owner.id,
      memberIds: [owner.id],
      discussionGroupTitle: 'News chat',
    });
    expect(channel.linkedChatId).toBeTypeOf('number');
    const post = await client.postInChannel(channel.chat.id, 'Release 1.0 #news', owner.id);
    expect(post.sender_chat?.id).toBe(channel.chat.id);
    expect(post.entities).toEqual([{ type: 'hashtag', offset: 12, length: 5 }]);

    const updates = await api.getUpdates();
    const types = updates.map((u) => Object.keys(u).find((k) => k !== 'update_id'));
    expect(types).toContain('channel_post');
    const forwarded = updates.find((u) => u.message?.is_automatic_forward);
    expect(forwarded?.message?.chat.id).toBe(channel.linkedChatId);
    expect(forwarded?.message?.forward_origin).toMatchObject({
      type: 'channel',
      message_id: post.message_id,
    });
    expect(updates.some((u) => u.message?.text === 'Customer asks about refunds')).toBe(true);
    await api.getUpdates({ offset: updates[updates.length - 1].update_id + 1 });

    // The bot posts in the channel by @username and comments land in the discussion thread.
    const botPost = await api.sendMessage('@news_channel', 'From the bot');
    expect(botPost.sender_chat?.id).toBe(channel.chat.id);
    const comment = await client
      .sendMessage(member.id, 'nice', {
        chatId: channel.linkedChatId!,
        replyToMessageId: forwarded!.message!.message_id,
      })
      .catch((e: SandboxClientError) => e);
    expect(comment).toBeInstanceOf(SandboxClientError); // Max is not in the discussion group
    await client.addMember(channel.linkedChatId!, member.id);
    const reply = await client.sendMessage(member.id, 'nice', {
      chatId: channel.linkedChatId!,
      replyToMessageId: forwarded!.message!.message_id,
    });
    expect(reply.reply_to_message?.message_id).toBe(forwarded!.message!.message_id);
    expect(reply.message_thread_id).toBe(forwarded!.message!.message_id);

    const member1 = await api.getChatMember(forum.chat.id, owner.id);
    expect(member1.status).toBe('creator');
    const chat = await api.getChat(channel.chat.id);
    expect(chat).toMatchObject({ type: 'channel', linked_chat_id: channel.linkedChatId });
  });

  it('web apps open with initData signed by the bot token', async () => {
    const user = await client.createUser({ first_name: 'Wendy', username: 'wendy_web' });
    await client.sendMessage(user.id, '/start');
    const message = await api.sendMessage(user.id, 'Open the app', {
      reply_markup: { inline_keyboard: [[{ text: 'Shop', web_app: { url: 'https://shop.example/app' } }]] },
    });
    const launch = await client.openWebApp({
      userId: user.id,
      chatId: user.id,
      messageId: message.message_id,
    });
    expect(launch.url).toBe('https://shop.example/app');
    expect(launch.launchUrl.startsWith('https://shop.example/app#tgWebAppData=')).toBe(true);
    const verified = verifyWebAppInitData(emulator.token, launch.initData, { maxAgeSeconds: 60 });
    expect(verified?.user?.id).toBe(user.id);
    expect(verified?.queryId).toBe(launch.queryId);
    expect(verifyWebAppInitData('123456:another_token', launch.initData)).toBeUndefined();
    const tampered = launch.initData.replace('Wendy', 'Mallory');
    expect(verifyWebAppInitData(emulator.token, tampered)).toBeUndefined();

    // Independent check of Telegram's algorithm with node:crypto only.
    const { createHmac } = await import('node:crypto');
    const params = new URLSearchParams(launch.initData);
    const hash = params.get('hash');
    params.delete('hash');
    const check = [...params.entries()]
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('\n');
    const secret = createHmac('sha256', 'WebAppData').update(emulator.token).digest();
    expect(createHmac('sha256', secret).update(check).digest('hex')).toBe(hash);
    expect(
      signWebAppInitData(emulator.token, { user: { id: 1, is_bot: false, first_name: 'A' }, authDate: 1 }),
    ).toContain('auth_date=1');

    const answered = await api.answerWebAppQuery(launch.queryId!, {
      type: 'article',
      id: 'r1',
      title: 'Order',
      input_message_content: { message_text: 'Ordered 2 items' },
    });
    expect(answered.inline_message_id).toBeTypeOf('string');
    const transcript = await client.transcript(user.id);
    expect(transcript.at(-1)).toMatchObject({ text: 'Ordered 2 items', via_bot: { id: 123456 } });
    await expect(
      api.answerWebAppQuery(launch.queryId!, {
        type: 'article',
        id: 'r2',
        title: 'x',
        input_message_content: { message_text: 'x' },
      }),
    ).rejects.toMatchObject({ description: 'Bad Request: QUERY_ID_INVALID' });
  });

  it('commands, menu button and waits that time out with the transcript', async () => {
    await api.setMyCommands([{ command: 'help', description: 'Help' }], { language_code: 'en' });
    expect(await api.getMyCommands({ language_code: 'en' })).toEqual([
      { command: 'help', description: 'Help' },
    ]);
    expect(await api.getMyCommands()).toEqual([]);
    await expect(api.setMyCommands([{ command: 'Bad-Command', description: 'x' }])).rejects.toMatchObject({
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
    await api.setChatMenuButton({
      menu_button: { type: 'web_app', text: 'App', web_app: { url: 'https://a.example' } },
    });
    expect(await api.getChatMenuButton()).toMatchObject({ type: 'web_app', text: 'App' });

    const quiet = client.user('quiet_user');
    await quiet.send('anyone?');
    const error = await quiet.expectReply(/never/, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxClientError);
    expect((error as SandboxClientError).code).toBe('SANDBOX_TIMEOUT');
    expect((error as SandboxClientError).message).toContain('anyone?');
  });
});
