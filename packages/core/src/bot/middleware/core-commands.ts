import { Composer, InlineKeyboard } from 'grammy';
import type { BotI18n } from '../../i18n/create-i18n.js';
import { type CatalogCommand, commandsForChat, formatCommandList } from '../command-catalog.js';
import type { BotContext } from '../context.js';

const LANGUAGE_CALLBACK = /^core:language:([a-z0-9-]{2,16})$/;

function listFor(ctx: BotContext, catalog: CatalogCommand[], locale: string): string {
  const kind = ctx.chat?.type === 'private' || ctx.chat === undefined ? 'private' : 'group';
  const list = formatCommandList(commandsForChat(catalog, kind), locale);
  return list || ctx.t('core-help-empty');
}

/**
 * /start, /help and /language. /start and /help answer with the localized list of every
 * plugin's visible commands and then call next(), so a plugin may add its own reaction
 * (e.g. a deep-link payload of /start) without declaring the command again.
 */
export function coreCommands(deps: { catalog: CatalogCommand[]; i18n: BotI18n }): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('start', async (ctx, next) => {
    const locale = await ctx.i18n.getLocale();
    const name = ctx.from?.first_name;
    const greeting = name ? ctx.t('core-start-greeting', { name }) : ctx.t('core-start-greeting-anonymous');
    await ctx.reply(`${greeting}\n\n${listFor(ctx, deps.catalog, locale)}`);
    await next();
  });

  composer.command('help', async (ctx, next) => {
    const locale = await ctx.i18n.getLocale();
    const footer = deps.i18n.locales.length > 1 ? `\n\n${ctx.t('core-help-footer')}` : '';
    await ctx.reply(`${ctx.t('core-help-title')}\n${listFor(ctx, deps.catalog, locale)}${footer}`);
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
