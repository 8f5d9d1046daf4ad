import { afterEach, describe, expect, it } from 'vitest';
import type { BotContext } from '../src/bot/context.js';
import { type BotHarness, metricValue, startBotHarness } from './support/bot-harness.js';
import { callbackUpdate, textUpdate } from './support/fake-bot-api.js';

const demoLocales = {
  en: 'demo-echo = You said: { $text }\ndemo-start-extra = Demo is ready too.',
  ru: 'demo-echo = Вы сказали: { $text }\ndemo-start-extra = Демо тоже готово.',
};

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function echoPlugin(extra: Partial<Parameters<typeof startBotHarness>[0]> = {}) {
  return startBotHarness({
    localeSources: [{ pluginId: 'demo', locales: demoLocales }],
    plugins: [
      {
        id: 'demo',
        commands: [
          { command: 'echo', description: { en: 'Repeat a text', ru: 'Повторить текст' } },
          {
            command: 'groupstats',
            description: { en: 'Group stats', ru: 'Статистика группы' },
            scope: 'group',
          },
          { command: 'secret', description: { en: 'Manager tool' }, hidden: true },
        ],
        setup(composer) {
          composer.command('start', (ctx) => ctx.reply(ctx.t('demo-start-extra')));
          composer.on('message:text', (ctx) => ctx.reply(ctx.t('demo-echo', { text: ctx.message.text })));
        },
      },
    ],
    ...extra,
  });
}

// De-duplication of redelivered updates is the update inbox's (test/update-inbox.test.ts):
// the runtime handles what it is given.
describe('bot pipeline (webhook path)', () => {
  it('runs core stages before plugins, and plugins in the given order', async () => {
    const seen: string[] = [];
    harness = await startBotHarness({
      plugins: [
        {
          id: 'first',
          commands: [],
          setup(composer) {
            composer.on('message', async (ctx: BotContext, next) => {
              seen.push(
                [
                  `first`,
                  `cid=${/^[0-9a-f]{8}$/.test(ctx.correlationId)}`,
                  `t=${typeof ctx.t}`,
                  `session=${typeof ctx.session}`,
                  `conversation=${typeof ctx.conversation?.enter}`,
                  `logger=${ctx.logger.bindings().plugin}`,
                ].join(' '),
              );
              await next();
              seen.push('first-after');
            });
          },
        },
        {
          id: 'second',
          commands: [],
          setup(composer) {
            composer.on('message', (ctx) => {
              seen.push(`second logger=${ctx.logger.bindings().plugin}`);
            });
          },
        },
      ],
    });
    await harness.runtime.handleWebhookUpdate(textUpdate('hello'));
    expect(seen).toEqual([
      'first cid=true t=function session=object conversation=function logger=first',
      'second logger=second',
      'first-after',
    ]);
    expect(await metricValue(harness.metrics, 'botloom_updates_total', { type: 'message' })).toBe(1);
    expect(
      await metricValue(harness.metrics, 'botloom_handler_duration_seconds_count', { plugin: 'first' }),
    ).toBe(1);
  });

  it('rate-limits per user: one localized notice, then silence; other users unaffected', async () => {
    harness = await echoPlugin({ rateLimitPerMinute: 3 });
    for (const text of ['1', '2', '3', '4', '5', '6']) {
      await harness.runtime.handleWebhookUpdate(textUpdate(text, { id: 10, language_code: 'ru' }));
    }
    await harness.runtime.handleWebhookUpdate(textUpdate('hi', { id: 11 }));
    expect(harness.api.textsTo(10)).toEqual([
      'Вы сказали: 1',
      'Вы сказали: 2',
      'Вы сказали: 3',
      harness.i18n.translator.t('ru', 'core-rate-limited'),
    ]);
    expect(harness.api.textsTo(11)).toEqual(['You said: hi']);
  });

  it('turns a handler error into a localized message with a correlation id, then keeps working', async () => {
    let calls = 0;
    harness = await startBotHarness({
      plugins: [
        {
          id: 'flaky',
          commands: [],
          setup(composer) {
            composer.on('message:text', async (ctx) => {
              calls += 1;
              if (calls === 1) throw new Error('database exploded');
              await ctx.reply('fine');
            });
          },
        },
      ],
    });
    await harness.runtime.handleWebhookUpdate(textUpdate('boom', { id: 12, language_code: 'ru-RU' }));
    const [errorText] = harness.api.textsTo(12);
    const id = /Код ошибки: ([0-9a-f]{8})/.exec(errorText ?? '')?.[1];
    expect(id, errorText).toBeDefined();
    const logLine = harness.logs.find((line) => line.msg === 'update handler failed');
    expect(logLine).toMatchObject({ correlationId: id, plugin: 'flaky', chatId: 12, userId: 12 });
    expect(JSON.stringify(logLine)).toContain('database exploded');
    expect(errorText).not.toContain('database exploded');
    expect(await metricValue(harness.metrics, 'botloom_handler_errors_total', { plugin: 'flaky' })).toBe(1);

    await harness.runtime.handleWebhookUpdate(textUpdate('again', { id: 12 }));
    expect(harness.api.textsTo(12)).toEqual([errorText, 'fine']);
  });

  it('survives a Telegram error while sending the error message', async () => {
    harness = await startBotHarness({
      plugins: [
        {
          id: 'thrower',
          commands: [],
          setup(composer) {
            composer.on('message', () => {
              throw new Error('handler failed');
            });
          },
        },
      ],
    });
    harness.api.failNext('sendMessage', {
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    await expect(harness.runtime.handleWebhookUpdate(textUpdate('x', { id: 13 }))).resolves.toBeUndefined();
    expect(harness.logs.some((line) => line.msg === 'could not deliver the error message to the user')).toBe(
      true,
    );
  });

  it('the error boundary still answers, in both languages, when translation itself is broken', async () => {
    harness = await startBotHarness({
      plugins: [
        {
          id: 'breaker',
          commands: [],
          setup(composer) {
            composer.on('message', (ctx) => {
              // What a broken i18n stage leaves behind: ctx.t that throws.
              ctx.t = (() => {
                throw new TypeError('translate is not a function');
              }) as never;
              throw new Error('handler failed');
            });
          },
        },
      ],
    });
    const translate = harness.i18n.translator.t;
    harness.i18n.translator.t = () => {
      throw new TypeError('translate is not a function');
    };
    try {
      await expect(harness.runtime.handleWebhookUpdate(textUpdate('x', { id: 15 }))).resolves.toBeUndefined();
    } finally {
      harness.i18n.translator.t = translate;
    }
    const [text] = harness.api.textsTo(15);
    const id = /Error ID: ([0-9a-f]{8})/.exec(text ?? '')?.[1];
    expect(id, text).toBeDefined();
    expect(text).toContain(`Код ошибки: ${id}`);
    expect(harness.logs.filter((line) => line.msg === 'update handler failed')).toHaveLength(1);
    // A non-string language_code (refused at intake) cannot break locale resolution either.
    expect(harness.i18n.resolveLocale(42 as never)).toBe(harness.i18n.defaultLocale);
  });

  it('speaks the language of language_code and switches with /language', async () => {
    harness = await echoPlugin();
    const user = { id: 14, language_code: 'ru' };
    await harness.runtime.handleWebhookUpdate(textUpdate('привет', user));
    await harness.runtime.handleWebhookUpdate(textUpdate('/language', user));
    const prompt = harness.api.callsOf('sendMessage').at(-1)!;
    expect(prompt.payload.text).toBe('Выберите язык:');
    const buttons = prompt.payload.reply_markup.inline_keyboard.flat();
    expect(buttons.map((button: any) => button.text)).toEqual(['English', 'Русский']);
    await harness.runtime.handleWebhookUpdate(
      callbackUpdate(buttons[0].callback_data, user, prompt.payload.message_id ?? 1),
    );
    expect(harness.api.callsOf('editMessageText').at(-1)!.payload.text).toBe('Language set: English.');
    expect(harness.api.callsOf('answerCallbackQuery')).toHaveLength(1);
    // Still a Russian-speaking Telegram client, but the choice in the session wins.
    await harness.runtime.handleWebhookUpdate(textUpdate('hello', user));
    expect(harness.api.textsTo(14)).toEqual(['Вы сказали: привет', 'Выберите язык:', 'You said: hello']);
    // An English client choosing Russian.
    await harness.runtime.handleWebhookUpdate(
      callbackUpdate('core:language:ru', { id: 15, language_code: 'en' }),
    );
    await harness.runtime.handleWebhookUpdate(textUpdate('hi', { id: 15, language_code: 'en' }));
    expect(harness.api.textsTo(15)).toEqual(['Вы сказали: hi']);
    // A forged language button is refused.
    await harness.runtime.handleWebhookUpdate(callbackUpdate('core:language:xx', { id: 15 }));
    expect(harness.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe(
      'Эта кнопка больше не активна.',
    );
  });

  it('/start (no plugin intros) and /help list every plugin command in the user language, hidden ones excluded', async () => {
    harness = await echoPlugin();
    await harness.runtime.handleWebhookUpdate(
      textUpdate('/start', { id: 16, language_code: 'ru', first_name: 'Аня' }),
    );
    const [greeting, ...others] = harness.api.textsTo(16);
    expect(greeting).toBe(
      [
        'Здравствуйте, Аня! Вот что я умею:',
        '',
        '/start — Начать работу с ботом',
        '/help — Список команд',
        '/language — Сменить язык',
        '/echo — Повторить текст',
      ].join('\n'),
    );
    // Core composes /start (intros come from manifests): no plugin handler sees it.
    expect(others).toEqual([]);
    await harness.runtime.handleWebhookUpdate(textUpdate('/help', { id: 17, language_code: 'en' }));
    const help = harness.api.textsTo(17)[0]!;
    expect(help).toContain('/echo — Repeat a text');
    expect(help).not.toContain('secret');
    expect(help).not.toContain('groupstats'); // group-only command, private chat
  });

  it('publishes the command menu per scope and locale at init', async () => {
    harness = await echoPlugin();
    const calls = harness.api.callsOf('setMyCommands');
    const find = (scope: string, language?: string) =>
      calls.find((call) => call.payload.scope.type === scope && call.payload.language_code === language);
    expect(find('all_private_chats', 'ru')!.payload.commands).toEqual([
      { command: 'start', description: 'Начать работу с ботом' },
      { command: 'help', description: 'Список команд' },
      { command: 'language', description: 'Сменить язык' },
      { command: 'echo', description: 'Повторить текст' },
    ]);
    expect(find('all_private_chats')!.payload.commands.map((c: any) => c.description)).toContain(
      'Repeat a text',
    );
    expect(find('all_group_chats', 'en')!.payload.commands.map((c: any) => c.command)).toEqual([
      'help',
      'language',
      'groupstats',
    ]);
  });

  it('logs but survives a failing setMyCommands', async () => {
    harness = await echoPlugin();
    harness.api.failNext(
      'setMyCommands',
      { errorCode: 400, description: 'Bad Request: commands invalid' },
      6,
    );
    await expect(harness.runtime.init()).resolves.toBeUndefined();
    expect(harness.logs.filter((line) => line.msg === 'setMyCommands failed')).toHaveLength(6);
  });

  it('rejects malformed updates with a warning and keeps serving', async () => {
    harness = await echoPlugin();
    const bad: unknown[] = [
      null,
      'text',
      [1, 2],
      {},
      { update_id: -1, message: {} },
      { update_id: 1.5, message: {} },
      { update_id: 5 },
      { update_id: 5, message: 'not an object' },
      { update_id: 5, message: {}, callback_query: {} },
      // A well-formed envelope whose payload lacks what handlers read (chat, sender).
      { update_id: 6, message: {} },
    ];
    for (const update of bad) {
      await expect(harness.runtime.handleWebhookUpdate(update)).rejects.toMatchObject({
        code: 'INVALID_UPDATE',
      });
    }
    expect(harness.logs.filter((line) => line.msg === 'malformed update rejected')).toHaveLength(bad.length);
    await harness.runtime.handleWebhookUpdate(textUpdate('still here', { id: 18 }));
    expect(harness.api.textsTo(18)).toEqual(['You said: still here']);
  });
});
