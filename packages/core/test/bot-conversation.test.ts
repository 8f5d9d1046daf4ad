import { randomBytes } from 'node:crypto';
import { createConversation } from '@grammyjs/conversations';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotPluginEntry } from '../src/bot/bot-runtime.js';
import type { BotContext, ConversationContext } from '../src/bot/context.js';
import { createAesGcmCrypto } from '../src/crypto/aes-gcm.js';
import { createKvFactory, type KvFactory } from '../src/kv/kv-factory.js';
import { CONVERSATION_MARKER } from '../src/kv/session-storage.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { capturingLogger, metricValue, startBotHarness } from './support/bot-harness.js';
import { FakeBotApi, textUpdate } from './support/fake-bot-api.js';

const locales = {
  en: 'order-ask-dish = What would you like?\norder-ask-count = How many { $dish }?\norder-done = Order: { $count } × { $dish }',
  ru: 'order-ask-dish = Что желаете?\norder-ask-count = Сколько порций «{ $dish }»?\norder-done = Заказ: { $count } × { $dish }',
};

/** A plugin with a two-step conversation: /order asks the dish, then the count. */
function orderPlugin(): BotPluginEntry {
  return {
    id: 'order',
    commands: [{ command: 'order', description: { en: 'Place an order', ru: 'Сделать заказ' } }],
    setup(composer) {
      composer.use(
        createConversation<BotContext, ConversationContext>(async (conversation, ctx) => {
          await ctx.reply(ctx.t('order-ask-dish'));
          const dishCtx = await conversation.waitFor('message:text');
          const dish = dishCtx.message.text;
          await dishCtx.reply(dishCtx.t('order-ask-count', { dish }));
          const countCtx = await conversation.waitFor('message:text');
          await countCtx.reply(countCtx.t('order-done', { dish, count: countCtx.message.text }));
          await conversation.external((outer) => {
            outer.session.order = { last: dish, correlationId: countCtx.correlationId };
          });
        }, 'order'),
      );
      composer.command('order', (ctx) => ctx.conversation.enter('order'));
    },
  };
}

const crypto = createAesGcmCrypto(randomBytes(32));
const HOUR = 60 * 60 * 1000;

let db: TestDatabase;
let api: FakeBotApi;
let kv: KvFactory;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await new FakeBotApi().start();
  kv = createKvFactory({
    url: db.url,
    databaseUrl: db.url,
    logger: capturingLogger().logger,
    sweepIntervalMs: 0,
  });
});

afterAll(async () => {
  await kv?.close();
  await api?.close();
  await db?.drop();
});

describe('conversations', () => {
  it('keeps a two-step conversation across updates and across a restart (PostgreSQL kv)', async () => {
    const user = { id: 21, language_code: 'ru' };
    const first = await startBotHarness({
      api,
      kv,
      crypto,
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    await first.runtime.handleWebhookUpdate(textUpdate('/order', user));
    await first.runtime.handleWebhookUpdate(textUpdate('Борщ', user));
    await first.close(); // "restart": the state must come back from PostgreSQL

    const second = await startBotHarness({
      api,
      kv,
      crypto,
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    try {
      await second.runtime.handleWebhookUpdate(textUpdate('2', user));
      expect(api.textsTo(21)).toEqual(['Что желаете?', 'Сколько порций «Борщ»?', 'Заказ: 2 × Борщ']);
      // Replayed steps were not sent again, and only real requests were counted.
      expect(
        await metricValue(second.metrics, 'botloom_telegram_api_calls_total', {
          method: 'sendMessage',
          status: 'ok',
        }),
      ).toBe(1);
      // The conversation wrote to the outer session through conversation.external.
      const session = (await kv.namespace('core.sessions').get('21')) as Record<string, any>;
      expect(session.order.last).toBe('Борщ');
      expect(session.order.correlationId).toMatch(/^[0-9a-f]{8}$/);

      // Finished: the next text is not swallowed by the conversation.
      await second.runtime.handleWebhookUpdate(textUpdate('/order', { id: 21, language_code: 'en' }));
      expect(api.textsTo(21).at(-1)).toBe('What would you like?');
    } finally {
      await second.close();
    }
  });
});

/** The transaction id that last wrote a `botloom_kv` row (changes on every write). */
async function rowVersion(key: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ xmin: string }>(
      'SELECT xmin::text FROM botloom_kv WHERE key = $1',
      [key],
    );
    return rows[0]?.xmin;
  } finally {
    await client.end();
  }
}

describe('storage round trips per update', () => {
  it('writes a session only when it changed, and reads no conversation state for a chat in no conversation', async () => {
    const harness = await startBotHarness({
      api,
      kv,
      crypto,
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    const conversationsKv = kv.namespace('core.conversations');
    const get = conversationsKv.get.bind(conversationsKv);
    let conversationReads = 0;
    conversationsKv.get = ((...args: Parameters<typeof get>) => {
      conversationReads++;
      return get(...args);
    }) as typeof get;
    try {
      const user = { id: 41, language_code: 'en' };
      await harness.runtime.handleWebhookUpdate(textUpdate('/help', user));
      const written = await rowVersion('core.sessions:41');
      expect(written).toBeDefined();
      expect(conversationReads).toBe(0); // a new chat has no conversation to look up

      await harness.runtime.handleWebhookUpdate(textUpdate('/help', user));
      await harness.runtime.handleWebhookUpdate(textUpdate('/help', user));
      expect(await rowVersion('core.sessions:41')).toBe(written);
      expect(conversationReads).toBe(0);

      // A conversation: its state is read on each step while it runs.
      await harness.runtime.handleWebhookUpdate(textUpdate('/order', user));
      await harness.runtime.handleWebhookUpdate(textUpdate('Pelmeni', user));
      await harness.runtime.handleWebhookUpdate(textUpdate('3', user));
      expect(api.textsTo(41).slice(-3)).toEqual([
        'What would you like?',
        'How many Pelmeni?',
        'Order: 3 × Pelmeni',
      ]);
      expect(conversationReads).toBe(2);
      await harness.runtime.handleWebhookUpdate(textUpdate('/help', user));
      expect(conversationReads).toBe(2);
    } finally {
      conversationsKv.get = get;
      await harness.close();
    }
  });

  it('continues a conversation whose session predates the conversation marker', async () => {
    const harness = await startBotHarness({
      api,
      kv,
      crypto,
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    try {
      const user = { id: 42, language_code: 'en' };
      await harness.runtime.handleWebhookUpdate(textUpdate('/order', user));
      const sessions = kv.namespace('core.sessions');
      const session = (await sessions.get('42')) as Record<string, unknown>;
      expect(session[CONVERSATION_MARKER]).toBe(1);
      delete session[CONVERSATION_MARKER];
      await sessions.set('42', session);

      await harness.runtime.handleWebhookUpdate(textUpdate('Borscht', user));
      expect(api.textsTo(42).at(-1)).toBe('How many Borscht?');
    } finally {
      await harness.close();
    }
  });
});

/** The raw `botloom_kv` row of a chat's conversation state (value and expiry as stored). */
async function conversationRow(chatId: number) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ value: string; expires_at: Date }>(
      'SELECT value, expires_at FROM botloom_kv WHERE key = $1',
      [`core.conversations:${chatId}`],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('conversation state at rest', () => {
  it('is encrypted, expires after its TTL (24 h by default), and is forgotten once expired', async () => {
    let clock = Date.now();
    const harness = await startBotHarness({
      api,
      kv,
      crypto,
      now: () => clock,
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    try {
      const user = { id: 31, language_code: 'en' };
      await harness.runtime.handleWebhookUpdate(textUpdate('/order', user));
      await harness.runtime.handleWebhookUpdate(textUpdate('Secret pelmeni recipe', user));
      expect(api.textsTo(31).at(-1)).toBe('How many Secret pelmeni recipe?');

      const row = await conversationRow(31);
      expect(row, 'the half-finished conversation is stored').toBeDefined();
      expect(row!.value).not.toContain('pelmeni');
      expect(row!.value).toMatch(/"sealed":"v1:/);
      // The backend row expires too (swept), a day after the last step; wide margins.
      const inMs = new Date(row!.expires_at).getTime() - Date.now();
      expect(inMs).toBeGreaterThan(23 * HOUR);
      expect(inMs).toBeLessThan(25 * HOUR);

      // 23 hours later the conversation still waits for the count...
      clock += 23 * HOUR;
      await harness.runtime.handleWebhookUpdate(textUpdate('2', user));
      expect(api.textsTo(31).at(-1)).toBe('Order: 2 × Secret pelmeni recipe');

      // ...but a conversation abandoned for more than its TTL is gone.
      await harness.runtime.handleWebhookUpdate(textUpdate('/order', user));
      await harness.runtime.handleWebhookUpdate(textUpdate('Forgotten soup', user));
      const before = api.textsTo(31).length;
      clock += 24 * HOUR + 1;
      await harness.runtime.handleWebhookUpdate(textUpdate('3', user));
      expect(api.textsTo(31).length, 'the expired conversation did not answer').toBe(before);
      expect(await conversationRow(31)).toBeUndefined();
    } finally {
      await harness.close();
    }
  });

  it('honours a configured TTL', async () => {
    let clock = Date.now();
    const harness = await startBotHarness({
      api,
      kv,
      crypto,
      now: () => clock,
      conversationTtlMs: 2 * HOUR,
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    try {
      const user = { id: 32, language_code: 'en' };
      await harness.runtime.handleWebhookUpdate(textUpdate('/order', user));
      await harness.runtime.handleWebhookUpdate(textUpdate('Tea', user));
      const inMs = new Date((await conversationRow(32))!.expires_at).getTime() - Date.now();
      expect(inMs).toBeGreaterThan(1 * HOUR);
      expect(inMs).toBeLessThan(3 * HOUR);
      const before = api.textsTo(32).length;
      clock += 2 * HOUR + 1;
      await harness.runtime.handleWebhookUpdate(textUpdate('5', user));
      expect(api.textsTo(32).length).toBe(before);
    } finally {
      await harness.close();
    }
  });

  it('deletes plaintext state left by earlier versions when the bot starts', async () => {
    const legacy = { version: [0, 0], state: { order: [{ args: 'Legacy borscht' }] } };
    await kv.namespace('core.conversations').set('33', legacy);
    expect((await conversationRow(33))!.value).toContain('Legacy borscht');
    const harness = await startBotHarness({ api, kv, crypto, plugins: [orderPlugin()] });
    try {
      expect(await conversationRow(33)).toBeUndefined();
    } finally {
      await harness.close();
    }
  });
});
