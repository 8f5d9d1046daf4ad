import type { BotContext } from '@botloom/core';
import { Composer } from 'grammy';
import type { Logger } from 'pino';
import type { SupportConfig } from '../config.js';
import { DESK_CALLBACK, parseDeskButton } from '../services/callback-data.js';
import type { CustomerDesk, CustomerInput } from '../services/customer-desk.js';
import type { ManagerDesk } from '../services/manager-desk.js';
import type { ManagerService } from '../services/manager-service.js';
import type { CustomerInfo } from '../services/ticket-service.js';
import { inlineKeyboard } from './telegram-port.js';

export interface SupportBotDeps {
  customers: () => CustomerDesk;
  managerDesk: () => ManagerDesk;
  managers: () => ManagerService;
  /** The manager group in use (the setting, or what the app wired). */
  managerGroupChatId: () => number | undefined;
  config: SupportConfig;
  webAppUrl: () => string | undefined;
  logger: Logger;
}

function customerOf(ctx: BotContext): CustomerInfo | undefined {
  const from = ctx.from;
  if (!from || !ctx.chat) return undefined;
  return {
    id: from.id,
    chatId: ctx.chat.id,
    name: [from.first_name, from.last_name].filter(Boolean).join(' ').trim() || `user ${from.id}`,
    username: from.username,
    language: from.language_code,
  };
}

function nameOf(from: { first_name: string; last_name?: string }): string {
  return [from.first_name, from.last_name].filter(Boolean).join(' ');
}

/** grammY handlers: customers in private chats, managers in the topics of the manager group, admin commands. */
export function createSupportComposer(deps: SupportBotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { config } = deps;
  const isManagerGroup = (ctx: BotContext) => {
    const group = deps.managerGroupChatId();
    return group !== undefined && ctx.chat?.id === group;
  };

  const webAppButton = (ctx: BotContext) => {
    const url = deps.webAppUrl();
    return url ? inlineKeyboard([[{ text: ctx.t('support-open-web-app'), webAppUrl: url }]]) : undefined;
  };

  // ---- admin commands (private chat with the bot) ------------------------------------------
  const adminOnly = composer
    .chatType('private')
    .filter((ctx) => ['addmanager', 'removemanager', 'managers'].includes(commandOf(ctx.message?.text)));
  adminOnly.use(async (ctx, next) => {
    if (config.adminUserId === undefined || ctx.from?.id !== config.adminUserId) {
      await ctx.reply(ctx.t('support-admin-only'));
      return;
    }
    await next();
  });
  adminOnly.command('addmanager', async (ctx) => {
    const match = /^(-?\d{1,15})\s+(.{1,100})$/s.exec(ctx.match.trim());
    if (!match) return void (await ctx.reply(ctx.t('support-addmanager-usage')));
    const id = Number(match[1]);
    const name = match[2]!.trim();
    const added = await deps.managers().add(id, name, ctx.from!.id);
    await ctx.reply(
      ctx.t(added ? 'support-manager-added' : 'support-manager-renamed', { id: String(id), name }),
    );
  });
  adminOnly.command('removemanager', async (ctx) => {
    const match = /^(-?\d{1,15})$/.exec(ctx.match.trim());
    if (!match) return void (await ctx.reply(ctx.t('support-removemanager-usage')));
    const removed = await deps.managers().remove(Number(match[1]));
    await ctx.reply(
      ctx.t(removed ? 'support-manager-removed' : 'support-manager-not-found', { id: match[1]! }),
    );
  });
  adminOnly.command('managers', async (ctx) => {
    const list = await deps.managers().list();
    if (!list.length) return void (await ctx.reply(ctx.t('support-managers-empty')));
    await ctx.reply(
      [ctx.t('support-managers-title'), ...list.map((m) => `• ${m.name} — ${m.userId}`)].join('\n'),
    );
  });

  // ---- managers in the forum topics ---------------------------------------------------------
  const group = composer.filter(isManagerGroup);
  group.callbackQuery(/^support:close:(\d+)$/, async (ctx) => {
    const threadId = ctx.callbackQuery.message?.message_thread_id;
    if (threadId === undefined) return void (await ctx.answerCallbackQuery());
    const outcome = await deps.managerDesk().closeFromTopic(ctx.chat!.id, threadId, { id: ctx.from.id });
    if (outcome === 'ticket_closed' || outcome === 'unknown_topic') {
      await ctx.answerCallbackQuery({ text: ctx.t('support-button-stale') });
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
      return;
    }
    await ctx.answerCallbackQuery(
      outcome === 'refused' ? { text: ctx.t('support-not-a-manager'), show_alert: true } : undefined,
    );
  });
  group.callbackQuery(/^support:handback:(\d+)$/, async (ctx) => {
    const threadId = ctx.callbackQuery.message?.message_thread_id;
    if (threadId === undefined) return void (await ctx.answerCallbackQuery());
    const outcome = await deps
      .managerDesk()
      .handBackFromTopic(ctx.chat!.id, threadId, { id: ctx.from.id, name: nameOf(ctx.from) });
    if (outcome === 'ticket_closed' || outcome === 'unknown_topic' || outcome === 'with_assistant') {
      await ctx.answerCallbackQuery({ text: ctx.t('support-button-stale') });
      return;
    }
    await ctx.answerCallbackQuery(
      outcome === 'refused' ? { text: ctx.t('support-not-a-manager'), show_alert: true } : undefined,
    );
  });
  group.on('message', async (ctx) => {
    const message = ctx.message;
    const threadId = message.is_topic_message ? message.message_thread_id : undefined;
    if (threadId === undefined || message.from.is_bot) return;
    if (
      message.forum_topic_created ||
      message.forum_topic_closed ||
      message.forum_topic_reopened ||
      message.forum_topic_edited
    )
      return;
    const desk = deps.managerDesk();
    const command = commandOf(message.text);
    if (command === 'close') {
      await desk.closeFromTopic(ctx.chat.id, threadId, { id: message.from.id });
      return;
    }
    if (HAND_BACK_COMMANDS.includes(command)) {
      await desk.handBackFromTopic(ctx.chat.id, threadId, {
        id: message.from.id,
        name: nameOf(message.from),
      });
      return;
    }
    await desk.managerMessage(
      ctx.chat.id,
      threadId,
      { id: message.from.id, name: nameOf(message.from) },
      {
        text: message.text ?? message.caption,
        telegram: { chatId: ctx.chat.id, messageId: message.message_id },
      },
    );
  });

  // ---- customers ---------------------------------------------------------------------------
  const customers = composer.chatType('private');
  customers.command('support', async (ctx) => {
    const keyboard = webAppButton(ctx);
    await ctx.reply(
      keyboard ? `${ctx.t('support-welcome')}\n\n${ctx.t('support-web-app-hint')}` : ctx.t('support-welcome'),
      {
        reply_markup: keyboard,
      },
    );
  });
  customers.command('start', async (ctx) => {
    // Only a deep link (`/start support`) gets here: core composes a plain /start itself.
    const keyboard = webAppButton(ctx);
    await ctx.reply(ctx.t('support-welcome'), { reply_markup: keyboard });
  });
  customers.callbackQuery(DESK_CALLBACK, async (ctx) => {
    const button = parseDeskButton(ctx.callbackQuery.data);
    const customer = customerOf(ctx)!;
    const desk = deps.customers();
    if (button?.action === 'handoff' && (await desk.callManagerButtonApplies(customer.id, button.ticketId))) {
      // Acknowledge first: the handoff posts in the manager group, which can take seconds.
      await ctx.answerCallbackQuery();
      await desk.callManager(customer, 'bot');
      return;
    }
    if (
      button?.action === 'satisfied' &&
      (await desk.satisfiedButtonApplies(customer.id, button.ticketId, button.answerId))
    ) {
      await ctx.answerCallbackQuery();
      await desk.satisfied(customer, 'bot');
      return;
    }
    if (button?.action === 'rate') {
      const ok = await desk.rate(ctx.from.id, button.ticketId, button.rating);
      await ctx.answerCallbackQuery({
        text: ctx.t(ok ? 'support-rating-thanks' : 'support-rating-unavailable'),
      });
      if (!ok) return void (await removeButtons(ctx));
      // The message stops asking for a rating and says which one was given (its buttons go too).
      await ctx
        .editMessageText(
          ctx.t('support-rated', { ticket: String(button.ticketId), rating: String(button.rating) }),
        )
        .catch(() => removeButtons(ctx));
      return;
    }
    // An old button (or one from before buttons carried their ticket): nothing changes.
    await ctx.answerCallbackQuery({ text: ctx.t('support-button-stale') });
    await removeButtons(ctx);
  });
  customers.on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    await customerSays(ctx, { text: ctx.message.text });
  });
  customers.on(['message:photo', 'message:document'], async (ctx) => {
    const label = ctx.message.photo ? '[photo]' : `[${ctx.message.document?.file_name ?? 'document'}]`;
    await customerSays(ctx, {
      text: ctx.message.caption,
      media: { label, ref: { chatId: ctx.chat.id, messageId: ctx.message.message_id } },
    });
  });

  /** The pressed message's buttons no longer apply. */
  async function removeButtons(ctx: BotContext) {
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
  }

  async function customerSays(ctx: BotContext, input: CustomerInput) {
    try {
      await deps.customers().customerMessage(customerOf(ctx)!, 'bot', input);
    } catch (err) {
      if ((err as { code?: string }).code === 'MESSAGE_TOO_LONG') {
        await ctx.reply((err as Error).message);
        return;
      }
      throw err;
    }
  }

  return composer;
}

/** A manager hands the ticket back to the assistant: /bot, or /ai. */
const HAND_BACK_COMMANDS = ['bot', 'ai'];

function commandOf(text: string | undefined): string {
  const match = /^\/([a-z_]+)(?:@\w+)?(?:\s|$)/i.exec(text ?? '');
  return match ? match[1]!.toLowerCase() : '';
}
