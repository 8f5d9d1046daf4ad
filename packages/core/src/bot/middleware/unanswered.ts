import type { MiddlewareFn } from 'grammy';
import type { ChatOwnership } from '../chat-ownership.js';
import type { BotContext } from '../context.js';
import { routeOf, sessionRecord } from './conversation-router.js';
import { mainMenu } from './main-menu.js';

/**
 * The end of the chain: what no plugin handled. A /start menu handover the chosen plugin let
 * through gets "You are now talking to ..." with its intro. In a private chat, a message never
 * goes unanswered:
 * - free input the claimed owner let through (it has nothing going on) goes to the default
 *   owner, and the claim is released;
 * - a deep link its plugin did not answer gets that plugin's intro;
 * - `/cancel` says there is nothing to cancel, an unknown command points to /help;
 * - other free input (when some plugin reads free text) gets a short note and the menu.
 */
export function answerUnanswered(deps: {
  ownership: ChatOwnership;
  /** A plugin's gated handlers, to hand a message to the default owner. */
  pluginHandlers: (pluginId: string) => MiddlewareFn<BotContext> | undefined;
}): MiddlewareFn<BotContext> {
  const { ownership } = deps;
  const unanswered: MiddlewareFn<BotContext> = async (ctx) => {
    const route = routeOf(ctx);
    if (route?.handedOver && route.target) {
      await ctx.reply(switchedText(ctx, ownership, route.target));
      return;
    }
    if (ctx.chat?.type !== 'private' || !ctx.message || !route) return;
    const fallback = ownership.defaultOwner;
    if (route.freeInput && fallback && route.target !== fallback && !route.handedToDefault) {
      const handlers = deps.pluginHandlers(fallback);
      if (route.target) ownership.release(sessionRecord(ctx), route.target);
      route.handedToDefault = true;
      route.target = fallback;
      if (handlers) {
        await handlers(ctx, async () => {
          await unanswered(ctx, async () => {});
        });
        return;
      }
    }
    if (route.deepLink && route.target) {
      await ctx.reply(switchedText(ctx, ownership, route.target));
      return;
    }
    if (route.command === 'cancel') {
      await ctx.reply(ctx.t('core-nothing-to-cancel'));
      return;
    }
    if (route.command) {
      await ctx.reply(ctx.t('core-unknown-command', { command: `/${route.command}` }));
      return;
    }
    if (!ownership.enabled) return;
    const menu = mainMenu(ctx, ownership);
    await ctx.reply(ctx.t('core-not-understood'), menu ? { reply_markup: menu } : {});
  };
  return unanswered;
}

/** "You are now talking to X" and X's intro. */
export function switchedText(ctx: BotContext, ownership: ChatOwnership, pluginId: string): string {
  const nameKey = ownership.nameKey(pluginId);
  const intro = ownership.intros().find((i) => i.id === pluginId)?.intro;
  const lines = [ctx.t('core-owner-switched', { name: nameKey ? ctx.t(nameKey) : pluginId })];
  if (intro) lines.push(ctx.t(intro));
  return lines.join('\n\n');
}
