import { Composer, InlineKeyboard } from 'grammy';
import type { BotI18n } from '../../i18n/create-i18n.js';
import type { CommandViewer } from '../../plugin/types.js';
import type { ChatOwnership } from '../chat-ownership.js';
import { type CatalogCommand, commandsFor, formatCommandList } from '../command-catalog.js';
import type { BotContext } from '../context.js';
import { routeOf, sessionRecord } from './conversation-router.js';
import { MENU_CALLBACK, mainMenu } from './main-menu.js';
import { switchedText } from './unanswered.js';

const LANGUAGE_CALLBACK = /^core:language:([a-z0-9-]{2,16})$/;

function chatKind(ctx: BotContext): 'private' | 'group' {
  return ctx.chat?.type === 'private' || ctx.chat === undefined ? 'private' : 'group';
}

function viewerOf(ctx: BotContext): CommandViewer | undefined {
  if (!ctx.from || !ctx.chat) return undefined;
  return { userId: ctx.from.id, chatId: ctx.chat.id, chatType: ctx.chat.type };
}

/**
 * /start, /help, /language and the main menu. Plain /start is composed by core: a greeting,
 * each plugin's intro and the menu of plugins to talk to (no plugin sees it); in a group, the
 * greeting and the commands usable there instead; a deep link
 * (`/start support`) goes to its plugin instead. /help lists the commands this person may use
 * here and, in a private chat, who answers their messages now.
 */
export function coreCommands(deps: {
  catalog: CatalogCommand[];
  i18n: BotI18n;
  ownership: ChatOwnership;
}): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { ownership } = deps;

  /** The commands this person may use in this chat (private or group). */
  const shownHere = (ctx: BotContext) =>
    commandsFor(deps.catalog, chatKind(ctx), viewerOf(ctx), (error, command) =>
      ctx.logger.warn({ err: error, command }, 'command visibility check failed'),
    );

  composer.command('start', async (ctx, next) => {
    if (routeOf(ctx)?.deepLink) return next();
    const locale = await ctx.i18n.getLocale();
    const name = ctx.from?.first_name;
    const greeting = name ? ctx.t('core-start-greeting', { name }) : ctx.t('core-start-greeting-anonymous');
    const intros = ownership.intros();
    // Intros and the menu describe private conversations (/start_session, /support...): a group
    // gets the commands that work there, for this person, as /help lists them.
    if (!intros.length || chatKind(ctx) === 'group') {
      const list = formatCommandList(await shownHere(ctx), locale);
      await ctx.reply(`${greeting}\n\n${list || ctx.t('core-help-empty')}`);
      return;
    }
    const menu = mainMenu(ctx, ownership);
    const parts = [greeting, ...intros.map((i) => ctx.t(i.intro))];
    parts.push(ctx.t(menu ? 'core-start-footer-menu' : 'core-start-footer'));
    await ctx.reply(parts.join('\n\n'), menu ? { reply_markup: menu } : {});
  });

  composer.command('help', async (ctx) => {
    const locale = await ctx.i18n.getLocale();
    const shown = await shownHere(ctx);
    const parts = [
      `${ctx.t('core-help-title')}\n${formatCommandList(shown, locale) || ctx.t('core-help-empty')}`,
    ];
    if (ownership.enabled && chatKind(ctx) === 'private') {
      const owner = ownership.owner(sessionRecord(ctx));
      const nameKey = owner ? ownership.nameKey(owner) : undefined;
      parts.push(
        ctx.t(ownership.menu().length ? 'core-help-owner-menu' : 'core-help-owner', {
          name: nameKey ? ctx.t(nameKey) : (owner ?? ''),
        }),
      );
    }
    if (deps.i18n.locales.length > 1) parts.push(ctx.t('core-help-footer'));
    await ctx.reply(parts.join('\n\n'));
  });

  // A plugin that opens its conversation itself (`conversation.opensOnMenu`) gets the handover
  // next (`ctx.chatOwner.handedOver()`); if it lets it through, the end of the chain says who
  // answers now. Other plugins never see the button (a conversation waiting for its own
  // buttons would take it).
  composer.callbackQuery(MENU_CALLBACK, async (ctx, next) => {
    const pluginId = ctx.match[1]!;
    const entry = ownership.menu().find((m) => m.id === pluginId);
    const route = routeOf(ctx);
    if (!entry || !route || ctx.chat?.type !== 'private' || !ownership.claim(sessionRecord(ctx), pluginId)) {
      await ctx.answerCallbackQuery({ text: ctx.t('core-action-expired') });
      return;
    }
    await ctx.answerCallbackQuery();
    if (!ownership.opensOnMenu(pluginId)) {
      await ctx.reply(switchedText(ctx, ownership, pluginId));
      return;
    }
    route.target = pluginId;
    route.handedOver = true;
    await next();
  });

  composer.command('language', async (ctx) => {
    const keyboard = new InlineKeyboard();
    for (const locale of deps.i18n.locales) {
      keyboard.text(
        deps.i18n.translator.t(locale, `core-language-name-${locale}`),
        `core:language:${locale}`,
      );
    }
    await ctx.reply(ctx.t('core-language-prompt'), { reply_markup: keyboard });
  });

  composer.callbackQuery(LANGUAGE_CALLBACK, async (ctx) => {
    const locale = ctx.match[1]!;
    if (!deps.i18n.locales.includes(locale) || ctx.chatId === undefined) {
      await ctx.answerCallbackQuery({ text: ctx.t('core-action-expired') });
      return;
    }
    await ctx.i18n.setLocale(locale); // stored in the session; ctx.t now speaks it
    await ctx.answerCallbackQuery();
    const text = ctx.t('core-language-changed');
    if (ctx.callbackQuery.message) {
      await ctx.editMessageText(text);
    } else {
      await ctx.reply(text);
    }
  });

  return composer;
}
