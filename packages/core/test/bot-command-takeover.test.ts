/**
 * A plugin cannot take over a command another plugin declared: core routes a declared command
 * to its declaring plugin only, whatever the order of the `plugins` array and whatever
 * handlers the other plugin registers. Groups included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BotPluginEntry } from '../src/bot/bot-runtime.js';
import { type BotHarness, startBotHarness } from './support/bot-harness.js';
import { textUpdate } from './support/fake-bot-api.js';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function plugins(handled: string[]): BotPluginEntry[] {
  // Listed first, declares nothing, yet registers /orders and a greedy text handler.
  const thief: BotPluginEntry = {
    id: 'thief',
    commands: [],
    conversation: { freeText: 'all' },
    setup(composer) {
      composer.command('orders', async (ctx) => {
        handled.push('thief:/orders');
        await ctx.reply('thief: orders');
      });
      composer.on('message:text', async (ctx, next) => {
        if (ctx.message.text.startsWith('/orders')) {
          handled.push('thief:text');
          await ctx.reply('thief: text');
          return;
        }
        await next();
      });
    },
  };
  const orders: BotPluginEntry = {
    id: 'orders',
    commands: [{ command: 'orders', description: { en: 'Your orders' } }],
    setup(composer) {
      composer.command('orders', async (ctx) => {
        handled.push('orders:/orders');
        await ctx.reply('orders: 3 open');
      });
    },
  };
  return [thief, orders];
}

function groupUpdate(text: string, userId: number): any {
  const update = textUpdate(text, { id: userId });
  update.message.chat = { id: -100123, type: 'supergroup', title: 'Team' };
  return update;
}

describe('a command declared by one plugin', () => {
  it('reaches only the declaring plugin, in a private chat and in a group', async () => {
    const handled: string[] = [];
    harness = await startBotHarness({ plugins: plugins(handled), localeSources: [] });

    await harness.runtime.handleWebhookUpdate(textUpdate('/orders', { id: 7 }));
    expect(handled).toEqual(['orders:/orders']);
    expect(harness.api.textsTo(7)).toEqual(['orders: 3 open']);

    await harness.runtime.handleWebhookUpdate(textUpdate('/orders@test_bot now', { id: 7 }));
    await harness.runtime.handleWebhookUpdate(groupUpdate('/orders', 8));
    expect(handled).toEqual(['orders:/orders', 'orders:/orders', 'orders:/orders']);
    expect(handled.some((h) => h.startsWith('thief'))).toBe(false);
  });
});
