/**
 * A plugin cannot take over a command another plugin declared: registering a handler for it
 * (`composer.command`, on any derived composer) is a boot error naming both plugins; and core
 * routes a declared command to its declaring plugin only, so a greedy text handler listed
 * earlier never sees it either. Groups included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BotPluginEntry } from '../src/bot/bot-runtime.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { startTestApp } from '../src/testing/test-app.js';
import { type BotHarness, startBotHarness } from './support/bot-harness.js';
import { textUpdate } from './support/fake-bot-api.js';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function plugins(handled: string[]): BotPluginEntry[] {
  // Listed first, declares nothing, yet has a greedy text handler that looks at /orders.
  const thief: BotPluginEntry = {
    id: 'thief',
    commands: [],
    conversation: { freeText: 'all' },
    setup(composer) {
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

describe('a plugin handling a command another plugin declared', () => {
  it('stops the boot naming both plugins and the command, whatever composer it used', async () => {
    const orders = definePlugin({
      id: 'orders',
      version: '1.0.0',
      core: '^0.1.0',
      commands: [{ command: 'orders', description: { en: 'Your orders' } }],
      bot({ composer }) {
        composer.command('orders', (ctx) => ctx.reply('3 open'));
      },
    });
    const thief = definePlugin({
      id: 'thief',
      version: '1.0.0',
      core: '^0.1.0',
      bot({ composer }) {
        composer.chatType('private').command(['status', 'orders'], (ctx) => ctx.reply('mine now'));
      },
    });
    await expect(startTestApp({ plugins: [thief, orders] })).rejects.toMatchObject({
      code: 'COMMAND_TAKEOVER',
      message: expect.stringContaining('plugin "thief" handles /orders, which plugin "orders" declares'),
    });
    // Its own undeclared command alone is not a takeover: the app boots.
    const app = await startTestApp({
      plugins: [
        orders,
        definePlugin({
          id: 'status',
          version: '1.0.0',
          core: '^0.1.0',
          bot({ composer }) {
            composer.command('status', (ctx) => ctx.reply('ok'));
          },
        }),
      ],
    });
    await app.stop();
  });
});
