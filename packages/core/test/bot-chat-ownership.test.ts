/**
 * Chat ownership through the bot pipeline: which plugin answers a private chat's messages,
 * how deep links, commands, the /start menu and a plugin's own claim change that, and that
 * every message gets exactly one answer. Three plugins: `agent` (reads free text only while it
 * owns the chat), `desk` (answers all free text: the default owner) and `reports` (commands).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BotPluginEntry } from '../src/bot/bot-runtime.js';
import { type BotHarness, startBotHarness } from './support/bot-harness.js';
import { callbackUpdate, textUpdate } from './support/fake-bot-api.js';

const locales = {
  en: [
    'agent-intro = Agent: a personal assistant. /talk to start.',
    'agent-menu = Personal agent',
    'agent-data = your agent conversations',
    'desk-intro = Desk: ask us anything.',
    'desk-menu = Support desk',
    'desk-data = your support tickets',
    'reports-intro = Reports: /report for analysts.',
  ].join('\n'),
  ru: [
    'agent-intro = Агент: личный помощник. /talk — начать.',
    'agent-menu = Личный агент',
    'agent-data = ваши разговоры с агентом',
    'desk-intro = Поддержка: спрашивайте.',
    'desk-menu = Поддержка',
    'desk-data = ваши обращения',
    'reports-intro = Отчёты: /report для аналитиков.',
  ].join('\n'),
};

const MANAGER = 900;

interface World {
  /** Which plugin handled what: `plugin:text`. */
  handled: string[];
  talking: Set<number>;
  erased: string[];
}

function plugins(world: World, options: { failErase?: boolean } = {}): BotPluginEntry[] {
  const agent: BotPluginEntry = {
    id: 'agent',
    commands: [
      { command: 'talk', description: { en: 'Talk to the agent' } },
      { command: 'bye', description: { en: 'End the talk' } },
    ],
    conversation: { intro: 'agent-intro', menu: 'agent-menu', freeText: 'claimed' },
    userData: {
      describe: 'agent-data',
      async erase(userId) {
        if (options.failErase) throw new Error('agent store down');
        world.erased.push(`agent:${userId}`);
      },
    },
    setup(composer) {
      composer.command('talk', async (ctx) => {
        world.talking.add(ctx.from!.id);
        world.handled.push('agent:/talk');
        await ctx.reply('agent: talking');
      });
      composer.command('bye', async (ctx) => {
        world.talking.delete(ctx.from!.id);
        ctx.chatOwner.release();
        world.handled.push('agent:/bye');
        await ctx.reply('agent: bye');
      });
      // It does not open on the menu: it never sees that button (core answers it).
      composer.on('callback_query', async (ctx, next) => {
        if (ctx.callbackQuery.data?.startsWith('core:')) world.handled.push('agent:saw-menu');
        await next();
      });
      composer.callbackQuery('agent:resume', async (ctx) => {
        world.talking.add(ctx.from.id);
        ctx.chatOwner.claim();
        world.handled.push('agent:resume');
        await ctx.answerCallbackQuery();
        await ctx.reply('agent: resumed');
      });
      composer.on('message:text', async (ctx, next) => {
        // Outside a talk the agent has nothing to say: it lets the message through.
        if (!world.talking.has(ctx.from.id)) return next();
        world.handled.push(`agent:${ctx.message.text}`);
        await ctx.reply(`agent heard: ${ctx.message.text} (owner ${ctx.chatOwner.current()})`);
      });
    },
  };
  const desk: BotPluginEntry = {
    id: 'desk',
    commands: [
      { command: 'desk', description: { en: 'Write to support' } },
      {
        command: 'managers',
        description: { en: 'List managers', ru: 'Менеджеры' },
        hidden: true,
        visibleTo: (who) => who.userId === MANAGER,
      },
    ],
    conversation: {
      intro: 'desk-intro',
      menu: 'desk-menu',
      deepLinks: ['desk', 'promo-'],
      freeText: 'all',
      opensOnMenu: true,
    },
    userData: {
      describe: 'desk-data',
      async erase(userId) {
        world.erased.push(`desk:${userId}`);
      },
    },
    setup(composer) {
      composer.command('desk', async (ctx) => {
        world.handled.push('desk:/desk');
        await ctx.reply('desk: hello');
      });
      composer.command('start', async (ctx, next) => {
        // Only deep links reach a plugin: `/start promo-...` is answered here, `/start desk` is not.
        if (!ctx.match.startsWith('promo-')) return next();
        world.handled.push(`desk:/start ${ctx.match}`);
        await ctx.reply(`desk: promo ${ctx.match.slice('promo-'.length)}`);
      });
      // Chosen in the /start menu, the desk opens its conversation itself.
      composer.on('callback_query', async (ctx, next) => {
        if (!ctx.chatOwner.handedOver()) return next();
        world.handled.push('desk:handed-over');
        await ctx.reply('desk: how can we help?');
      });
      composer.on('message:text', async (ctx, next) => {
        if (ctx.message.text.startsWith('/')) return next();
        world.handled.push(`desk:${ctx.message.text}`);
        await ctx.reply(`desk answers: ${ctx.message.text}`);
      });
    },
  };
  const reports: BotPluginEntry = {
    id: 'reports',
    commands: [
      { command: 'report', description: { en: 'A report' } },
      { command: 'standup', description: { en: 'Group standup', ru: 'Летучка группы' }, scope: 'group' },
    ],
    conversation: { intro: 'reports-intro' },
    setup(composer) {
      composer.command('report', async (ctx) => {
        world.handled.push('reports:/report');
        await ctx.reply('reports: 42');
      });
      composer.callbackQuery('reports:refresh', async (ctx) => {
        world.handled.push('reports:refresh');
        await ctx.answerCallbackQuery();
      });
      // A plugin that greedily matches every text must still see only what is routed to it.
      composer.on('message:text', async (ctx, next) => {
        world.handled.push(`reports-saw:${ctx.message.text}`);
        await next();
      });
    },
  };
  return [agent, desk, reports];
}

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: { failErase?: boolean; defaultChatOwner?: string } = {}) {
  const world: World = { handled: [], talking: new Set(), erased: [] };
  harness = await startBotHarness({
    plugins: plugins(world, options),
    localeSources: [{ pluginId: 'test', locales }],
    ...(options.defaultChatOwner ? { defaultChatOwner: options.defaultChatOwner } : {}),
  });
  return world;
}

/** Sends one message and returns the bot's replies to it (and what the plugins handled). */
async function say(world: World, userId: number, text: string, language_code = 'en') {
  const before = harness!.api.textsTo(userId).length;
  const handledBefore = world.handled.length;
  await harness!.runtime.handleWebhookUpdate(textUpdate(text, { id: userId, language_code }));
  return {
    replies: harness!.api.textsTo(userId).slice(before),
    handled: world.handled.slice(handledBefore),
  };
}

async function press(userId: number, data: string) {
  const before = harness!.api.textsTo(userId).length;
  await harness!.runtime.handleWebhookUpdate(callbackUpdate(data, { id: userId }));
  return harness!.api.textsTo(userId).slice(before);
}

describe('chat ownership', () => {
  it('/start composes every plugin intro and a menu of plugins to talk to; no plugin sees it', async () => {
    const world = await start();
    const { replies, handled } = await say(world, 1, '/start');
    expect(handled).toEqual([]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('Agent: a personal assistant.');
    expect(replies[0]).toContain('Desk: ask us anything.');
    expect(replies[0]).toContain('Reports: /report for analysts.');
    const message = harness!.api.callsOf('sendMessage').at(-1)!;
    // One button a row, no empty row after the last (`[]` renders as a gap or is refused).
    expect(message.payload.reply_markup.inline_keyboard.map((row: unknown[]) => row.length)).toEqual([1, 1]);
    const buttons = message.payload.reply_markup.inline_keyboard.flat();
    expect(buttons.map((b: any) => [b.text, b.callback_data])).toEqual([
      ['Personal agent', 'core:owner:agent'],
      ['Support desk', 'core:owner:desk'],
    ]);
    const ru = await say(world, 2, '/start', 'ru');
    expect(ru.replies[0]).toContain('Агент: личный помощник.');
    expect(ru.replies[0]).toContain('Поддержка: спрашивайте.');
  });

  it('/start and /help in a group list only the commands that work there, no private intros or menu', async () => {
    await start();
    const GROUP = -1001;
    const inGroup = async (text: string, language_code = 'en') => {
      const update = textUpdate(text, { id: 12, language_code });
      update.message.chat = { id: GROUP, type: 'supergroup', title: 'Team' };
      const before = harness!.api.textsTo(GROUP).length;
      await harness!.runtime.handleWebhookUpdate(update);
      return harness!.api.textsTo(GROUP).slice(before);
    };
    for (const [command, language] of [
      ['/start', 'en'],
      ['/help', 'en'],
      ['/start', 'ru'],
    ] as const) {
      const [reply, ...more] = await inGroup(command, language);
      expect(more, command).toEqual([]);
      expect(reply, command).toContain('/standup');
      expect(reply, command).toContain('/help');
      for (const privateOnly of ['/talk', '/desk', '/report', '/delete_my_data', 'Agent:', 'Desk:']) {
        expect(reply, `${command} ${language}`).not.toContain(privateOnly);
      }
    }
    expect((await inGroup('/start', 'ru'))[0]).toContain('Летучка группы');
    expect(harness!.api.callsOf('sendMessage').at(-1)!.payload.reply_markup).toBeUndefined();
  });

  it('sends free text to the default owner only, and to the plugin whose command was used', async () => {
    const world = await start();
    expect(await say(world, 3, 'hello')).toEqual({
      replies: ['desk answers: hello'],
      handled: ['desk:hello'],
    });
    expect((await say(world, 3, '/talk')).handled).toEqual(['agent:/talk']);
    expect(await say(world, 3, 'how are you?')).toEqual({
      replies: ['agent heard: how are you? (owner agent)'],
      handled: ['agent:how are you?'],
    });
    // A command of another plugin that reads free text moves the chat there, talk or not.
    expect((await say(world, 3, '/desk')).replies).toEqual(['desk: hello']);
    expect((await say(world, 3, 'still there?')).handled).toEqual(['desk:still there?']);
    // A command of a plugin that reads no free text is answered but leaves the owner as it is.
    expect((await say(world, 3, '/report')).handled).toEqual(['reports:/report']);
    expect((await say(world, 3, 'and now?')).handled).toEqual(['desk:and now?']);
  });

  it('a deep link hands the chat to its plugin; its plugin may answer it, else core gives the intro', async () => {
    const world = await start();
    await say(world, 4, '/talk');
    const link = await say(world, 4, '/start desk');
    expect(link.handled).toEqual([]);
    expect(link.replies).toEqual(['You are now talking to: Support desk.\n\nDesk: ask us anything.']);
    expect((await say(world, 4, 'my car broke')).handled).toEqual(['desk:my car broke']);
    await say(world, 4, '/talk');
    expect(await say(world, 4, '/start promo-summer')).toEqual({
      replies: ['desk: promo summer'],
      handled: ['desk:/start promo-summer'],
    });
    expect((await say(world, 4, 'price?')).handled).toEqual(['desk:price?']);
    // An unknown payload is a plain /start.
    expect((await say(world, 4, '/start nothing-here')).replies[0]).toContain('Desk: ask us anything.');
  });

  it('the menu hands the chat over; a plugin claims and releases it itself', async () => {
    const world = await start();
    world.talking.add(5); // the agent would talk, but the chat is not its own yet
    expect((await say(world, 5, 'hi')).handled).toEqual(['desk:hi']);
    expect(await press(5, 'core:owner:agent')).toEqual([
      'You are now talking to: Personal agent.\n\nAgent: a personal assistant. /talk to start.',
    ]);
    expect(world.handled).not.toContain('agent:saw-menu');
    expect((await say(world, 5, 'hi again')).handled).toEqual(['agent:hi again']);
    expect((await say(world, 5, '/bye')).handled).toEqual(['agent:/bye']);
    expect((await say(world, 5, 'anyone?')).handled).toEqual(['desk:anyone?']);
    // Its own button: the agent claims the chat.
    expect(await press(5, 'agent:resume')).toEqual(['agent: resumed']);
    expect((await say(world, 5, 'back')).handled).toEqual(['agent:back']);
    // A forged menu entry changes nothing.
    await press(5, 'core:owner:reports');
    expect(harness!.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe(
      'This button is no longer active.',
    );
    expect((await say(world, 5, 'still agent')).handled).toEqual(['agent:still agent']);
  });

  it('the plugin chosen in the menu is told it now has the chat and may open the conversation', async () => {
    const world = await start();
    await say(world, 15, '/talk');
    const handledBefore = world.handled.length;
    // The desk handles the handover: its opening is the only reply, core adds nothing.
    expect(await press(15, 'core:owner:desk')).toEqual(['desk: how can we help?']);
    expect(world.handled.slice(handledBefore)).toEqual(['desk:handed-over']);
    expect(harness!.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBeUndefined();
    // The next message is an answer to that opening, in the desk's conversation.
    expect((await say(world, 15, 'my order is late')).handled).toEqual(['desk:my order is late']);
    // A plugin's own buttons are not a handover.
    world.talking.add(15);
    expect(await press(15, 'agent:resume')).toEqual(['agent: resumed']);
    expect(world.handled.at(-1)).toBe('agent:resume');
  });

  it('an owner with nothing going on lets the message through to the default owner, releasing its claim', async () => {
    const world = await start();
    await say(world, 6, '/talk');
    world.talking.delete(6); // e.g. the session ended on a timer, without a release
    expect(await say(world, 6, 'question')).toEqual({
      replies: ['desk answers: question'],
      handled: ['desk:question'],
    });
    world.talking.add(6);
    expect((await say(world, 6, 'next')).handled).toEqual(['desk:next']); // the claim is gone
  });

  it('every private message gets exactly one answer: unknown commands, /cancel, stickers', async () => {
    const world = await start();
    expect((await say(world, 7, '/foo')).replies).toEqual([
      'I do not know the command /foo. Send /help for the list of commands.',
    ]);
    expect((await say(world, 7, '/cancel')).replies).toEqual(['Nothing to cancel.']);
    expect((await say(world, 7, '/foo', 'ru')).replies).toEqual([
      'Я не знаю команду /foo. Список команд: /help.',
    ]);
    const sticker = textUpdate('x', { id: 7 });
    delete sticker.message.text;
    sticker.message.sticker = { file_id: 's', file_unique_id: 's', type: 'regular', width: 1, height: 1 };
    const before = harness!.api.textsTo(7).length;
    await harness!.runtime.handleWebhookUpdate(sticker);
    const replies = harness!.api.textsTo(7).slice(before);
    expect(replies).toEqual(['I did not understand that. Send /help to see what I can do, or choose below.']);
    for (const text of [
      '/start',
      '/help',
      '/talk',
      'a',
      '/desk',
      'b',
      '/report',
      '/start desk',
      'c',
      '/bye',
    ]) {
      expect((await say(world, 8, text)).replies, text).toHaveLength(1);
    }
    // The greedy plugin saw no private message at all: none was routed to it.
    expect(world.handled.filter((h) => h.startsWith('reports-saw'))).toEqual([]);
  });

  it('routes a callback to the plugin its data is prefixed with', async () => {
    const world = await start();
    await press(9, 'reports:refresh');
    await press(9, 'agent:resume');
    expect(world.handled).toEqual(['reports:refresh', 'agent:resume']);
  });

  it('/help says who answers now, and shows hidden commands to those who may use them', async () => {
    const world = await start();
    const help = (await say(world, 10, '/help')).replies[0]!;
    expect(help).toContain('/talk — Talk to the agent');
    expect(help).not.toContain('/managers');
    expect(help).toContain('Your messages now go to: Support desk.');
    await say(world, 10, '/talk');
    expect((await say(world, 10, '/help')).replies[0]).toContain('Your messages now go to: Personal agent.');
    const manager = (await say(world, MANAGER, '/help', 'ru')).replies[0]!;
    expect(manager).toContain('/managers — Менеджеры');
    expect(manager).toContain('Сейчас ваши сообщения получает: Поддержка.');
    // Never in Telegram's public command menu.
    const menus = harness!.api.callsOf('setMyCommands').flatMap((c) => c.payload.commands);
    expect(menus.map((c: any) => c.command)).not.toContain('managers');
    expect(menus.map((c: any) => c.command)).toContain('delete_my_data');
  });

  it('/delete_my_data lists and erases every plugin data, then forgets the chat owner', async () => {
    const world = await start();
    await say(world, 11, '/talk');
    const confirm = await say(world, 11, '/delete_my_data');
    expect(confirm.replies[0]).toContain('• your agent conversations');
    expect(confirm.replies[0]).toContain('• your support tickets');
    await press(11, 'core:delete:no');
    expect(world.erased).toEqual([]);
    await press(11, 'core:delete:yes');
    expect(world.erased).toEqual(['desk:11', 'agent:11']);
    expect(harness!.api.callsOf('editMessageText').at(-1)!.payload.text).toBe(
      '🗑 All your data has been deleted.',
    );
    expect((await say(world, 11, 'who now?')).handled).toEqual(['desk:who now?']);
  });

  it('says which data remains when one plugin cannot erase, after erasing the rest', async () => {
    const world = await start({ failErase: true });
    await press(12, 'core:delete:yes');
    expect(world.erased).toEqual(['desk:12']);
    const text = harness!.api.callsOf('editMessageText').at(-1)!.payload.text;
    expect(text).toContain('could not be deleted');
    expect(text).toContain('• your agent conversations');
  });

  it('DEFAULT_CHAT_OWNER picks the default owner', async () => {
    const world = await start({ defaultChatOwner: 'agent' });
    world.talking.add(13);
    expect((await say(world, 13, 'hi')).handled).toEqual(['agent:hi']);
    await expect(start({ defaultChatOwner: 'reports' })).rejects.toThrow(/not a plugin that reads free text/);
  });
});
