import { afterEach, describe, expect, it } from 'vitest';
import { inspectUpdate } from '../src/bot/update-intake.js';
import { isTelegramId } from '../src/bot/update-payload-check.js';
import { type BotHarness, startBotHarness } from './support/bot-harness.js';
import { callbackUpdate, textUpdate } from './support/fake-bot-api.js';

const from = { id: 7, is_bot: false, first_name: 'Ann' };
const chat = { id: 7, type: 'private', first_name: 'Ann' };
const message = (fields: Record<string, unknown> = {}) => ({
  message_id: 1,
  date: 0,
  chat,
  from,
  text: 'hi',
  ...fields,
});

/** Updates that are not Telegram updates, with the part of the reason that names the problem. */
const malformed: Array<[string, unknown, RegExp]> = [
  ['no payload', { update_id: 77777778 }, /no payload/],
  ['null payload', { update_id: 1, message: null }, /not an object/],
  ['two payloads', { update_id: 1, message: message(), edited_message: message() }, /exactly one/],
  ['a known and an unknown payload', { update_id: 1, message: message(), brand_new: {} }, /exactly one/],
  ['negative update_id', { update_id: -5, message: message() }, /update_id/],
  ['non-string text', { update_id: 1, message: message({ text: { evil: true } }) }, /message\.text/],
  ['non-string caption', { update_id: 1, message: message({ caption: 42 }) }, /message\.caption/],
  [
    'non-string language_code',
    { update_id: 1, message: message({ from: { ...from, language_code: ['en'] } }) },
    /message\.from\.language_code/,
  ],
  ['no from', { update_id: 1, message: message({ from: undefined }) }, /message\.from/],
  ['no chat', { update_id: 1, message: message({ chat: undefined }) }, /message\.chat/],
  ['chat.id out of range', { update_id: 1, message: message({ chat: { ...chat, id: 1e30 } }) }, /chat\.id/],
  ['chat.id a string', { update_id: 1, message: message({ chat: { ...chat, id: '7' } }) }, /chat\.id/],
  ['from.id negative', { update_id: 1, message: message({ from: { ...from, id: -7 } }) }, /from\.id/],
  [
    'entities not an array',
    { update_id: 1, message: message({ entities: 'bot_command' }) },
    /message\.entities/,
  ],
  [
    'non-string callback data',
    { update_id: 1, callback_query: { id: 'c', from, chat_instance: 'x', data: 12 } },
    /callback_query\.data/,
  ],
  [
    'callback without from',
    { update_id: 1, callback_query: { id: 'c', chat_instance: 'x', data: 'a' } },
    /callback_query\.from/,
  ],
  [
    'reply nested too deep',
    {
      update_id: 1,
      message: message({ reply_to_message: message({ reply_to_message: message() }) }),
    },
    /reply_to_message\.reply_to_message/,
  ],
];

describe('inspectUpdate', () => {
  it('ignores updates of types it does not know', () => {
    expect(inspectUpdate({ update_id: 77777777, brand_new_update_kind: { id: 1 } })).toEqual({
      outcome: 'ignore',
      updateId: 77777777,
      type: 'brand_new_update_kind',
    });
  });

  for (const [name, raw, reason] of malformed) {
    it(`rejects an update with ${name}`, () => {
      const verdict = inspectUpdate(raw);
      expect(verdict.outcome).toBe('reject');
      expect(verdict.outcome === 'reject' && verdict.reason).toMatch(reason);
    });
  }

  it('never puts a field value in the reason (it may be user text)', () => {
    const verdict = inspectUpdate({ update_id: 1, message: message({ text: ['my secret diary'] }) });
    expect(JSON.stringify(verdict)).not.toContain('secret');
  });

  it('lets real updates through: messages, channel posts without from, callbacks, edits', () => {
    const good: unknown[] = [
      textUpdate('/start hello'),
      callbackUpdate('menu:1'),
      {
        update_id: 2,
        channel_post: { message_id: 1, date: 0, chat: { id: -1001234567890, type: 'channel' } },
      },
      { update_id: 3, edited_message: message({ text: 'edited', message_thread_id: 5 }) },
      { update_id: 4, message: message({ text: undefined, caption: 'photo', photo: [] }) },
      { update_id: 5, message: message({ reply_to_message: message({ text: 'earlier' }) }) },
      { update_id: 6, my_chat_member: { chat, from, date: 0, old_chat_member: {}, new_chat_member: {} } },
      { update_id: 7, inline_query: { id: 'q', from, query: 'cats', offset: '' } },
    ];
    for (const update of good) expect(inspectUpdate(update)).toMatchObject({ outcome: 'handle', update });
  });

  it('knows Telegram ids: non-zero integers of at most 52 bits', () => {
    expect([1, -1001234567890, 2 ** 52 - 1].every(isTelegramId)).toBe(true);
    expect([0, 2 ** 52, -(2 ** 53), 1.5, Number.NaN, '7', null].some(isTelegramId)).toBe(false);
  });
});

describe('update intake in the bot runtime', () => {
  let harness: BotHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const echo = () =>
    startBotHarness({
      plugins: [
        {
          id: 'echo',
          commands: [],
          setup: (composer) => composer.on('message:text', (ctx) => ctx.reply(`got ${ctx.message.text}`)),
        },
      ],
    });

  it('webhook: acknowledges an unknown type with a debug line, refuses malformed ones with a warning', async () => {
    harness = await echo();
    await expect(
      harness.runtime.handleWebhookUpdate({ update_id: 77777777, brand_new_update_kind: { id: 1 } }),
    ).resolves.toBeUndefined();
    expect(harness.logs.filter((l) => l.msg === 'update of an unknown type ignored')).toEqual([
      expect.objectContaining({ level: 20, updateId: 77777777, updateType: 'brand_new_update_kind' }),
    ]);
    for (const [, raw] of malformed) {
      await expect(harness.runtime.handleWebhookUpdate(raw)).rejects.toMatchObject({
        code: 'INVALID_UPDATE',
      });
    }
    const warnings = harness.logs.filter((l) => l.msg === 'malformed update rejected');
    expect(warnings).toHaveLength(malformed.length);
    expect(warnings.every((l) => l.level === 40 && l.source === 'webhook')).toBe(true);
    expect(harness.logs.filter((l) => l.level >= 50)).toEqual([]);
    await harness.runtime.handleWebhookUpdate(textUpdate('still here', { id: 18 }));
    expect(harness.api.textsTo(18)).toEqual(['got still here']);
  });

  it('polling: skips malformed and unknown updates the same way and keeps polling', async () => {
    harness = await echo();
    await harness.runtime.startPolling();
    harness.api.pushUpdate(
      { update_id: 9001, brand_new_update_kind: { id: 1 } },
      { update_id: 9002, message: message({ text: 42, chat: { ...chat, id: 31 } }) },
      { update_id: 9003, message: null },
      textUpdate('after them', { id: 31 }, 9004),
    );
    await harness.api.waitFor(() => harness!.api.textsTo(31).length === 1, 30_000);
    expect(harness.api.textsTo(31)).toEqual(['got after them']);
    const lines = harness.logs.filter((l) => l.source === 'polling');
    expect(lines.map((l) => [l.msg, l.updateId])).toEqual([
      ['update of an unknown type ignored', 9001],
      ['malformed update rejected', 9002],
      ['malformed update rejected', 9003],
    ]);
    expect(harness.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
