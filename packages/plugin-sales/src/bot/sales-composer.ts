import type { BotContext } from '@botloom/core';
import { Composer } from 'grammy';
import { ScriptNotPublishedError } from '../services/errors.js';
import type { SalesServices } from '../services/sales-services.js';

const DEEP_LINK = /^sales-([a-z0-9][a-z0-9-]{0,62})$/;

async function localeOf(ctx: BotContext): Promise<string> {
  return ctx.i18n.getLocale();
}

/**
 * grammY adapter over the conversation service: `/start sales-<script>`, choosing sales in the
 * /start menu and (while sales owns the chat) a first message start a conversation, free text goes through the pipeline while sales owns the chat, /stop
 * ends it. The chat is released when the conversation ends.
 */
export function createSalesComposer(services: () => SalesServices): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType('private');

  const begin = async (ctx: BotContext, slug?: string) => {
    try {
      const { text } = await services().conversations.begin({
        userId: ctx.from!.id,
        chatId: ctx.chat!.id,
        locale: await localeOf(ctx),
        slug,
      });
      ctx.chatOwner.claim();
      await ctx.reply(text);
      return true;
    } catch (error) {
      if (!(error instanceof ScriptNotPublishedError)) throw error;
      ctx.chatOwner.release();
      await ctx.reply(ctx.t('sales-script-unavailable'));
      return false;
    }
  };

  privateChats.command('start', async (ctx, next) => {
    const match = DEEP_LINK.exec(ctx.match.trim());
    if (!match) return next();
    await begin(ctx, match[1]);
  });

  // Chosen in the /start menu: open the conversation at once, so the client's next message is
  // the answer to its first question. A conversation already open just goes on.
  privateChats.on('callback_query', async (ctx, next) => {
    if (!ctx.chatOwner.handedOver() || (await services().conversations.openFor(ctx.from.id))) return next();
    await begin(ctx);
  });

  privateChats.command('stop', async (ctx) => {
    const stopped = await services().conversations.stop(ctx.from.id);
    ctx.chatOwner.release();
    await ctx.reply(ctx.t(stopped ? 'sales-stopped' : 'sales-nothing-to-stop'));
  });

  privateChats.on('message', async (ctx, next) => {
    const text = ctx.message.text;
    if (text?.startsWith('/')) return next();
    const s = services();
    let open = await s.conversations.openFor(ctx.from.id);
    if (!open) {
      // Not text (a photo, or a `chat_shared` answer to the education part's request_chat
      // button): left to the handlers after this one.
      if (text === undefined) return next();
      // Reached only while sales owns the chat (its default owner, or a conversation that ended).
      if (ctx.chatOwner.current() !== 'sales') return next();
      if (!(await begin(ctx))) return;
      open = await s.conversations.openFor(ctx.from.id);
    }
    if (text === undefined) {
      await ctx.reply(ctx.t('sales-text-only'));
      return;
    }
    const outcome = await s.conversations.handleClientMessage({
      userId: ctx.from.id,
      chatId: ctx.chat.id,
      locale: await localeOf(ctx),
      text,
      messageId: ctx.message.message_id,
    });
    if (outcome.status === 'no_conversation') return next();
    for (const reply of outcome.replies) await ctx.reply(reply);
    if (outcome.released) ctx.chatOwner.release();
  });

  return composer;
}
