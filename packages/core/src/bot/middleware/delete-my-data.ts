import { Composer, InlineKeyboard } from 'grammy';
import type { BotContext } from '../context.js';

/** One plugin's part of the user data contract, bound to its context. */
export interface UserDataEraser {
  pluginId: string;
  /** Fluent key: what erasing removes. */
  describe: string;
  erase(userId: number): Promise<void>;
}

/**
 * /delete_my_data: the confirmation lists what every plugin keeps about the user; confirming
 * erases it in every plugin (dependants first), ends the chat's conversations and clears its
 * session. A plugin that fails does not stop the others; the user is told which part remains.
 */
export function deleteMyData(deps: { erasers: readonly UserDataEraser[] }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType('private');

  privateChats.command('delete_my_data', async (ctx) => {
    if (!deps.erasers.length) {
      await ctx.reply(ctx.t('core-delete-nothing'));
      return;
    }
    const lines = deps.erasers.map((e) => `• ${ctx.t(e.describe)}`);
    const keyboard = new InlineKeyboard()
      .text(ctx.t('core-delete-button-confirm'), 'core:delete:yes')
      .text(ctx.t('core-delete-button-cancel'), 'core:delete:no');
    await ctx.reply(
      `${ctx.t('core-delete-confirm')}\n${lines.join('\n')}\n\n${ctx.t('core-delete-warning')}`,
      {
        reply_markup: keyboard,
      },
    );
  });

  privateChats.callbackQuery('core:delete:yes', async (ctx) => {
    await ctx.answerCallbackQuery();
    const failed: UserDataEraser[] = [];
    for (const eraser of [...deps.erasers].reverse()) {
      try {
        await eraser.erase(ctx.from.id);
      } catch (error) {
        ctx.logger.error({ err: error, plugin: eraser.pluginId }, 'user data could not be erased');
        failed.push(eraser);
      }
    }
    await ctx.conversation.exitAll().catch(() => undefined);
    // Every plugin's part of this chat's session, the chat owner and the /language choice.
    ctx.session = null as never;
    const text = failed.length
      ? `${ctx.t('core-delete-partial')}\n${failed.map((e) => `• ${ctx.t(e.describe)}`).join('\n')}`
      : ctx.t('core-deleted');
    await ctx.editMessageText(text).catch(() => ctx.reply(text));
  });

  privateChats.callbackQuery('core:delete:no', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t('core-delete-cancelled')).catch(() => undefined);
  });

  return composer;
}
