import { createConversation } from '@grammyjs/conversations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotPluginEntry } from '../src/bot/bot-runtime.js';
import type { BotContext, ConversationContext } from '../src/bot/context.js';
import { createKvFactory, type KvFactory } from '../src/kv/kv-factory.js';
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
      plugins: [orderPlugin()],
      localeSources: [{ pluginId: 'order', locales }],
    });
    await first.runtime.handleWebhookUpdate(textUpdate('/order', user));
    await first.runtime.handleWebhookUpdate(textUpdate('Борщ', user));
    await first.close(); // "restart": the state must come back from PostgreSQL

    const second = await startBotHarness({
      api,
      kv,
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
