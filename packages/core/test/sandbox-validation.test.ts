import { Api, GrammyError, InputFile } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BotApiEmulator,
  createBotApiEmulator,
  parseHtml,
  parseMarkdownV2,
  SandboxClient,
} from '../src/sandbox/index.js';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function telegramError(call: Promise<unknown>): Promise<GrammyError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

describe('emulator validation errors have Telegram shapes', () => {
  let emulator: BotApiEmulator;
  let api: Api;
  let client: SandboxClient;
  let url: string;
  let aliceId: number;

  beforeAll(async () => {
    emulator = createBotApiEmulator();
    url = await emulator.listen(0);
    api = new Api(emulator.token, { apiRoot: url });
    client = new SandboxClient(url);
    const alice = await client.createUser({ first_name: 'Alice', username: 'alice_v' });
    aliceId = alice.id;
    await client.sendMessage(aliceId, '/start');
  });

  afterAll(() => emulator.close());

  it.each([
    ['empty text', () => api.sendMessage(aliceId, ''), 400, 'Bad Request: message text is empty'],
    ['blank text', () => api.sendMessage(aliceId, '   '), 400, 'Bad Request: message text is empty'],
    [
      'too long text',
      () => api.sendMessage(aliceId, 'x'.repeat(4097)),
      400,
      'Bad Request: message is too long',
    ],
    ['unknown chat', () => api.sendMessage(424242, 'hi'), 400, 'Bad Request: chat not found'],
    ['unknown channel', () => api.sendMessage('@nope', 'hi'), 400, 'Bad Request: chat not found'],
    [
      'HTML unclosed tag',
      () => api.sendMessage(aliceId, 'a <b>bold', { parse_mode: 'HTML' }),
      400,
      'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    ],
    [
      'HTML unknown tag',
      () => api.sendMessage(aliceId, 'x <blink>y</blink>', { parse_mode: 'HTML' }),
      400,
      'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 2',
    ],
    [
      'HTML bare <',
      () => api.sendMessage(aliceId, '1 < 2', { parse_mode: 'HTML' }),
      400,
      'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
    ],
    [
      'HTML mismatched end tag',
      () => api.sendMessage(aliceId, '<b>x</i>', { parse_mode: 'HTML' }),
      400,
      'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
    ],
    [
      'MarkdownV2 reserved character',
      () => api.sendMessage(aliceId, 'Price: 5.00', { parse_mode: 'MarkdownV2' }),
      400,
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    ],
    [
      'MarkdownV2 unclosed bold',
      () => api.sendMessage(aliceId, 'Привет *мир', { parse_mode: 'MarkdownV2' }),
      400,
      "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 13",
    ],
    [
      'callback_data over 64 bytes',
      () =>
        api.sendMessage(aliceId, 'pick', {
          reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'y'.repeat(65) }]] },
        }),
      400,
      'Bad Request: BUTTON_DATA_INVALID',
    ],
    [
      'text-only inline button',
      () =>
        api.sendMessage(aliceId, 'pick', { reply_markup: { inline_keyboard: [[{ text: 'x' } as never]] } }),
      400,
      "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    ],
    [
      'caption over 1024',
      () => api.sendPhoto(aliceId, new InputFile(PNG_1X1, 'a.png'), { caption: 'c'.repeat(1025) }),
      400,
      'Bad Request: message caption is too long',
    ],
    [
      'photo that is not an image',
      () => api.sendPhoto(aliceId, new InputFile(Buffer.from('not an image'), 'a.png')),
      400,
      'Bad Request: IMAGE_PROCESS_FAILED',
    ],
    [
      'edit of a missing message',
      () => api.editMessageText(aliceId, 9999, 'x'),
      400,
      'Bad Request: message to edit not found',
    ],
    [
      'delete of a missing message',
      () => api.deleteMessage(aliceId, 9999),
      400,
      'Bad Request: message to delete not found',
    ],
    [
      'reply to a missing message',
      () => api.sendMessage(aliceId, 'x', { reply_parameters: { message_id: 9999 } }),
      400,
      'Bad Request: message to be replied not found',
    ],
    ['unknown file', () => api.getFile('nope'), 400, 'Bad Request: invalid file_id'],
    [
      'old callback query',
      () => api.answerCallbackQuery('12345'),
      400,
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    ],
    [
      'bad chat action',
      () => api.sendChatAction(aliceId, 'dancing' as never),
      400,
      'Bad Request: wrong parameter action in request',
    ],
  ])('%s', async (_name, call, code, description) => {
    const error = await telegramError(call());
    expect(error.error_code).toBe(code);
    expect(error.description).toBe(description);
    expect(error.ok).toBe(false);
  });

  it('answers raw HTTP exactly like Telegram', async () => {
    const unknown = await fetch(`${url}/bot${emulator.token}/fooBar`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    const wrongToken = await fetch(`${url}/bot123:wrong/getMe`);
    expect(wrongToken.status).toBe(401);
    expect(await wrongToken.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    const missingChat = await fetch(`${url}/bot${emulator.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=hello',
    });
    expect(await missingChat.json()).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: chat_id is empty',
    });
    const viaQuery = await fetch(
      `${url}/bot${emulator.token}/sendMessage?chat_id=${aliceId}&text=from%20query`,
    );
    expect(await viaQuery.json()).toMatchObject({
      ok: true,
      result: { text: 'from query', chat: { id: aliceId } },
    });
    const badJson = await fetch(`${url}/bot${emulator.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
  });

  it('edits: "message is not modified" and messages of others', async () => {
    const sent = await api.sendMessage(aliceId, 'same', {
      reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'a' }]] },
    });
    const error = await telegramError(
      api.editMessageText(aliceId, sent.message_id, 'same', {
        reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'a' }]] },
      }),
    );
    expect(error.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    const userMessage = await client.sendMessage(aliceId, 'mine');
    const notOwn = await telegramError(api.editMessageText(aliceId, userMessage.message_id, 'x'));
    expect(notOwn.description).toBe("Bad Request: message can't be edited");
    await api.deleteMessage(aliceId, sent.message_id);
    const gone = await telegramError(api.editMessageText(aliceId, sent.message_id, 'x'));
    expect(gone.description).toBe('Bad Request: message to edit not found');
  });

  it('blocked users and strangers: 403 like Telegram', async () => {
    const bob = await client.createUser({ first_name: 'Bob' });
    const stranger = await telegramError(api.sendMessage(bob.id, 'hi'));
    expect(stranger.error_code).toBe(403);
    expect(stranger.description).toBe("Forbidden: bot can't initiate conversation with a user");
    await client.sendMessage(bob.id, '/start');
    await client.setBlocked(bob.id, true);
    const blocked = await telegramError(api.sendMessage(bob.id, 'hi'));
    expect(blocked.error_code).toBe(403);
    expect(blocked.description).toBe('Forbidden: bot was blocked by the user');
    const updates = await api.getUpdates({ allowed_updates: ['my_chat_member'] });
    const kicked = updates.find((u) => u.my_chat_member?.chat.id === bob.id);
    expect(kicked?.my_chat_member?.new_chat_member.status).toBe('kicked');
  });

  it('forum topics: TOPIC_CLOSED and thread errors', async () => {
    const group = await client.createChat({
      type: 'supergroup',
      title: 'Support',
      isForum: true,
      memberIds: [aliceId],
    });
    const chatId = group.chat.id;
    const topic = await api.createForumTopic(chatId, 'Billing');
    expect(topic).toMatchObject({ name: 'Billing', icon_color: expect.any(Number) });
    const inTopic = await api.sendMessage(chatId, 'hello topic', {
      message_thread_id: topic.message_thread_id,
    });
    expect(inTopic).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    expect(inTopic.reply_to_message?.forum_topic_created?.name).toBe('Billing');
    await api.closeForumTopic(chatId, topic.message_thread_id);
    const closed = await telegramError(
      api.sendMessage(chatId, 'x', { message_thread_id: topic.message_thread_id }),
    );
    expect(closed.description).toBe('Bad Request: TOPIC_CLOSED');
    const again = await telegramError(api.closeForumTopic(chatId, topic.message_thread_id));
    expect(again.description).toBe('Bad Request: TOPIC_NOT_MODIFIED');
    await api.reopenForumTopic(chatId, topic.message_thread_id);
    await api.sendMessage(chatId, 'open again', { message_thread_id: topic.message_thread_id });
    const missing = await telegramError(api.sendMessage(chatId, 'x', { message_thread_id: 999 }));
    expect(missing.description).toBe('Bad Request: message thread not found');
  });
});

describe('parse modes', () => {
  it('HTML yields entities with UTF-16 offsets', () => {
    const parsed = parseHtml(
      '<b>Жирный</b> 😀 <i>it</i> <a href="https://example.com/x">link</a> <pre><code class="language-ts">let x</code></pre> &lt;ok&gt; <tg-spoiler>s</tg-spoiler>',
    );
    expect(parsed.text).toBe('Жирный 😀 it link let x <ok> s');
    expect(parsed.entities).toEqual([
      { type: 'bold', offset: 0, length: 6 },
      { type: 'italic', offset: 10, length: 2 },
      { type: 'text_link', offset: 13, length: 4, url: 'https://example.com/x' },
      { type: 'pre', offset: 18, length: 5, language: 'ts' },
      { type: 'spoiler', offset: 29, length: 1 },
    ]);
  });

  it('MarkdownV2 yields nested entities and honours escapes', () => {
    const parsed = parseMarkdownV2('*bold _italic_* __under__ ~s~ ||sp|| [t](https://t.me/x) `c\\`` 5\\.00');
    expect(parsed.text).toBe('bold italic under s sp t c` 5.00');
    expect(parsed.entities).toEqual([
      { type: 'bold', offset: 0, length: 11 },
      { type: 'italic', offset: 5, length: 6 },
      { type: 'underline', offset: 12, length: 5 },
      { type: 'strikethrough', offset: 18, length: 1 },
      { type: 'spoiler', offset: 20, length: 2 },
      { type: 'text_link', offset: 23, length: 1, url: 'https://t.me/x' },
      { type: 'code', offset: 25, length: 2 },
    ]);
  });

  it('MarkdownV2 pre blocks with a language and blockquotes', () => {
    const parsed = parseMarkdownV2('```python\nprint(1)\n```\n>quoted\n>lines');
    expect(parsed.text).toBe('print(1)\n\nquoted\nlines');
    expect(parsed.entities).toEqual([
      { type: 'pre', offset: 0, length: 9, language: 'python' },
      { type: 'blockquote', offset: 10, length: 12 },
    ]);
  });
});
