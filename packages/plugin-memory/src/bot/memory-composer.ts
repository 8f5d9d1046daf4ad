import type { BotContext } from '@botloom/core';
import { createConversation } from '@grammyjs/conversations';
import { Composer, InlineKeyboard, InputFile } from 'grammy';
import type { Keyv } from 'keyv';
import type { MemoryConfig } from '../config.js';
import { classifyLlmError, MemoryInputError } from '../services/errors.js';
import type { MemoryServices } from '../services/memory-services.js';
import type { SummariseOutcome } from '../services/session-lifecycle.js';
import type { Session } from '../services/session-service.js';
import { splitMessage } from '../services/split-message.js';
import { clipText, formatUtc, profileText } from './format.js';
import { PERSONALIZE_CONVERSATION, personalizeConversation } from './personalize-conversation.js';
import { withTypingIndicator } from './typing.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export interface MemoryBotDeps {
  services: () => MemoryServices;
  kv: () => Keyv | null;
  config: MemoryConfig;
}

/** Telegram adapter of the memory plugin: commands, buttons, the personalize conversation, free text. */
export function createMemoryComposer(deps: MemoryBotDeps): Composer<BotContext> {
  const { services, config } = deps;
  const composer = new Composer<BotContext>();
  // First: it registers the conversation (ctx.conversation.enter needs that) and hands the
  // updates of a running conversation to it before any handler below sees them.
  composer.use(
    createConversation(
      personalizeConversation(() => services().profiles, config.maxCustomInstructionChars),
      PERSONALIZE_CONVERSATION,
    ) as any,
  );
  const privateChats = composer.chatType('private');
  const userIdOf = (ctx: BotContext) => String(ctx.from!.id);

  const rememberLocale = async (ctx: BotContext) => {
    const kv = deps.kv();
    if (!kv || !ctx.from) return;
    const locale = await ctx.i18n.getLocale();
    const key = `locale:${ctx.from.id}`;
    if ((await kv.get(key)) !== locale) await kv.set(key, locale);
  };

  privateChats.command('personalize', async (ctx) => {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(PERSONALIZE_CONVERSATION);
  });

  privateChats.callbackQuery('memory:profile:change', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(PERSONALIZE_CONVERSATION);
  });

  privateChats.command('profile', async (ctx) => {
    const profile = await services().profiles.get(userIdOf(ctx));
    const keyboard = new InlineKeyboard().text(ctx.t('memory-button-change'), 'memory:profile:change');
    const text = profile ? profileText(ctx.t.bind(ctx), profile) : ctx.t('memory-profile-none');
    await ctx.reply(text, { reply_markup: keyboard });
  });

  // --- sessions -------------------------------------------------------------------------

  const startSession = async (ctx: BotContext) => {
    await rememberLocale(ctx);
    const { previous } = await services().lifecycle.start(userIdOf(ctx), String(ctx.chat!.id));
    ctx.chatOwner.claim(); // free text now goes to the agent, until /end_session
    const lines = [];
    if (previous?.status === 'done')
      lines.push(ctx.t('memory-session-previous-saved', { title: previous.title ?? '' }));
    lines.push(ctx.t('memory-session-started'));
    await ctx.reply(lines.join('\n'));
  };

  privateChats.command('start_session', startSession);
  privateChats.callbackQuery('memory:session:start', async (ctx) => {
    await ctx.answerCallbackQuery();
    await startSession(ctx);
  });

  privateChats.command('end_session', async (ctx) => {
    const outcome = await withTypingIndicator(
      () => ctx.replyWithChatAction('typing'),
      config.typingIntervalMs,
      () => services().lifecycle.end(userIdOf(ctx), 'command'),
    );
    ctx.chatOwner.release();
    if (!outcome) {
      await ctx.reply(ctx.t('memory-no-active-session'));
      return;
    }
    await ctx.reply(endedText(ctx, outcome));
  });

  const sessionsPage = async (ctx: BotContext, page: number) => {
    const list = await services().sessions.list(userIdOf(ctx), page, config.sessionsPageSize);
    if (list.total === 0) return { text: ctx.t('memory-sessions-empty'), keyboard: undefined };
    const keyboard = keyboardOf([
      ...list.items.map((s) => [InlineKeyboard.text(sessionLabel(ctx, s), `memory:session:${s.id}`)]),
      pager(ctx, list, 'sessions'),
    ]);
    return { text: ctx.t('memory-sessions-title', { page: list.page + 1, pages: list.pages }), keyboard };
  };

  privateChats.command('list_sessions', async (ctx) => {
    const { text, keyboard } = await sessionsPage(ctx, 0);
    await ctx.reply(text, { reply_markup: keyboard });
  });

  privateChats.callbackQuery(/^memory:sessions:(\d{1,6})$/, async (ctx) => {
    const { text, keyboard } = await sessionsPage(ctx, Number(ctx.match[1]));
    await ctx.answerCallbackQuery();
    await ctx
      .editMessageText(text, { reply_markup: keyboard })
      .catch(() => ctx.reply(text, { reply_markup: keyboard }));
  });

  privateChats.callbackQuery(new RegExp(`^memory:session:(${UUID})$`), async (ctx) => {
    const session = await services().sessions.get(ctx.match[1]);
    if (!session || session.userId !== userIdOf(ctx)) {
      await ctx.answerCallbackQuery({ text: ctx.t('memory-not-found') });
      return;
    }
    await ctx.answerCallbackQuery();
    const summary =
      session.status === 'active'
        ? ctx.t('memory-session-still-active')
        : (session.summary ?? ctx.t('memory-session-no-summary'));
    const text = ctx.t('memory-session-view', {
      title: session.title ?? ctx.t('memory-session-untitled'),
      started: formatUtc(session.startedAt),
      ended: session.endedAt ? formatUtc(session.endedAt) : ctx.t('memory-session-active'),
      count: session.messageCount,
      summary,
    });
    for (const part of splitMessage(text)) await ctx.reply(part);
  });

  // --- memories ------------------------------------------------------------------------

  const memoriesPage = async (ctx: BotContext, page: number) => {
    const list = await services().memories.list(userIdOf(ctx), page, config.memoriesPageSize);
    if (list.total === 0) return { text: ctx.t('memory-memories-empty'), keyboard: undefined };
    const keyboard = keyboardOf([
      ...list.items.map((m) => [
        InlineKeyboard.text(`✖ ${clipText(m.content, 48)}`, `memory:forget:${m.id}`),
      ]),
      pager(ctx, list, 'memories'),
      [InlineKeyboard.text(ctx.t('memory-button-forget-all'), 'memory:forget-all')],
    ]);
    const lines = list.items.map(
      (m, i) => `${list.page * config.memoriesPageSize + i + 1}. ${clipText(m.content, 300)}`,
    );
    const text = `${ctx.t('memory-memories-title', { total: list.total, page: list.page + 1, pages: list.pages })}\n\n${lines.join('\n')}`;
    return { text: splitMessage(text)[0], keyboard };
  };

  privateChats.command('memories', async (ctx) => {
    const { text, keyboard } = await memoriesPage(ctx, 0);
    await ctx.reply(text, { reply_markup: keyboard });
  });

  privateChats.callbackQuery(/^memory:memories:(\d{1,6})$/, async (ctx) => {
    const { text, keyboard } = await memoriesPage(ctx, Number(ctx.match[1]));
    await ctx.answerCallbackQuery();
    await ctx
      .editMessageText(text, { reply_markup: keyboard })
      .catch(() => ctx.reply(text, { reply_markup: keyboard }));
  });

  privateChats.callbackQuery(new RegExp(`^memory:forget:(${UUID})$`), async (ctx) => {
    const userId = userIdOf(ctx);
    let forgotten: string;
    try {
      forgotten = (await services().memories.get(userId, ctx.match[1])).content;
      await services().memories.forget(userId, ctx.match[1]);
    } catch {
      await ctx.answerCallbackQuery({ text: ctx.t('memory-not-found') });
      return;
    }
    await ctx.answerCallbackQuery({ text: clipText(ctx.t('memory-forgot-one', { text: forgotten }), 190) });
    const { text, keyboard } = await memoriesPage(ctx, 0);
    await ctx
      .editMessageText(text, { reply_markup: keyboard })
      .catch(() => ctx.reply(text, { reply_markup: keyboard }));
  });

  privateChats.callbackQuery('memory:forget-all', async (ctx) => {
    await ctx.answerCallbackQuery();
    const keyboard = new InlineKeyboard()
      .text(ctx.t('memory-button-confirm-forget-all'), 'memory:forget-all:yes')
      .text(ctx.t('memory-button-cancel'), 'memory:cancel');
    await ctx.reply(ctx.t('memory-forget-all-confirm'), { reply_markup: keyboard });
  });

  privateChats.callbackQuery('memory:forget-all:yes', async (ctx) => {
    const count = await services().memories.forgetAll(userIdOf(ctx));
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t('memory-forgot-all', { count })).catch(() => {});
  });

  privateChats.callbackQuery('memory:cancel', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t('memory-cancelled')).catch(() => {});
  });

  // --- data rights -----------------------------------------------------------------------

  privateChats.command('export_data', async (ctx) => {
    const data = await services().userData.export(userIdOf(ctx));
    const file = new InputFile(
      Buffer.from(JSON.stringify(data, null, 2), 'utf8'),
      `my-data-${formatUtc(new Date()).slice(0, 10)}.json`,
    );
    await ctx.replyWithDocument(file, { caption: ctx.t('memory-export-caption') });
  });

  // /delete_my_data is core's: it erases this plugin's data through the manifest's `userData`.

  privateChats.command('usage', async (ctx) => {
    const budget = await services().llm.budget(userIdOf(ctx));
    await ctx.reply(
      budget.limit === null
        ? ctx.t('memory-usage-unlimited', { used: budget.used })
        : ctx.t('memory-usage', {
            used: budget.used,
            limit: budget.limit,
            remaining: budget.remaining ?? 0,
            resets: formatUtc(budget.resetsAt),
          }),
    );
  });

  // --- the conversation with the agent ------------------------------------------------------

  privateChats.on('message:text', async (ctx, next) => {
    const raw = ctx.message.text;
    if (raw.startsWith('/')) return next(); // someone else's command
    const s = services();
    const userId = userIdOf(ctx);
    let text: string;
    try {
      text = s.agent.validate(raw);
    } catch (error) {
      if (error instanceof MemoryInputError && error.reason === 'too_long') {
        await ctx.reply(ctx.t('memory-input-too-long', { length: raw.length, limit: error.limit ?? 0 }));
        return;
      }
      return next();
    }

    let session = await s.sessions.active(userId);
    if (!session) {
      if (config.outsideSession === 'ignore') return next();
      if (config.outsideSession === 'offer') {
        const keyboard = new InlineKeyboard().text(
          ctx.t('memory-button-start-session'),
          'memory:session:start',
        );
        await ctx.reply(ctx.t('memory-offer-session'), { reply_markup: keyboard });
        return;
      }
      session = (await s.lifecycle.start(userId, String(ctx.chat.id))).session;
      ctx.chatOwner.claim();
      await ctx.reply(ctx.t('memory-session-auto-started'));
    }
    await rememberLocale(ctx);
    await s.agent.recordUserMessage(session, text);

    try {
      const result = await withTypingIndicator(
        () => ctx.replyWithChatAction('typing'),
        config.typingIntervalMs,
        () => s.agent.answer(session, text),
      );
      const body = result.offline ? `${result.reply}\n\n${ctx.t('memory-offline-note')}` : result.reply;
      for (const part of splitMessage(body)) await ctx.reply(part);
    } catch (error) {
      const failure = classifyLlmError(error);
      if (failure.kind === 'budget') {
        const resets = failure.resetsAt ?? (await s.llm.budget(userId)).resetsAt;
        await ctx.reply(ctx.t('memory-budget-exceeded', { resets: formatUtc(resets) }));
      } else if (failure.kind === 'unavailable') {
        await ctx.reply(ctx.t('memory-llm-unavailable'));
      } else {
        ctx.logger?.error({ err: error }, 'agent reply failed');
        await ctx.reply(ctx.t('memory-llm-failed'));
      }
    }
  });

  privateChats.on('message', async (ctx, next) => {
    // Stickers, photos, voice...: say so inside a session, leave them to others outside.
    if (ctx.message.text !== undefined || !(await services().sessions.active(userIdOf(ctx)))) return next();
    await ctx.reply(ctx.t('memory-input-unsupported'));
  });

  return composer;
}

type Button = ReturnType<typeof InlineKeyboard.text>;

/** Rows without the empty ones: Telegram shows an empty row as a gap (or rejects it). */
function keyboardOf(rows: Button[][]): InlineKeyboard {
  return InlineKeyboard.from(rows.filter((row) => row.length > 0));
}

/** ◀ / ▶ of a paged list, on one row (empty on a single page). */
function pager(
  ctx: BotContext,
  list: { page: number; pages: number },
  kind: 'sessions' | 'memories',
): Button[] {
  return [
    ...(list.page > 0
      ? [InlineKeyboard.text(ctx.t('memory-button-prev'), `memory:${kind}:${list.page - 1}`)]
      : []),
    ...(list.page < list.pages - 1
      ? [InlineKeyboard.text(ctx.t('memory-button-next'), `memory:${kind}:${list.page + 1}`)]
      : []),
  ];
}

function sessionLabel(ctx: BotContext, s: Session): string {
  const title =
    s.status === 'active'
      ? `🟢 ${ctx.t('memory-session-active')}`
      : (s.title ?? ctx.t('memory-session-untitled'));
  return clipText(`${formatUtc(s.startedAt).slice(0, 10)} · ${title}`, 60);
}

export function endedText(
  ctx: { t: (key: string, vars?: Record<string, string | number>) => string },
  outcome: SummariseOutcome,
): string {
  if (outcome.status === 'done') {
    return ctx.t('memory-session-ended', { title: outcome.title ?? '', count: outcome.memories.length });
  }
  if (outcome.status === 'pending' || outcome.status === 'skipped')
    return ctx.t('memory-session-ended-pending');
  return ctx.t('memory-session-ended-empty');
}
