import { InlineKeyboard } from 'grammy';
import type { ChatOwnership } from '../chat-ownership.js';
import type { BotContext } from '../context.js';

export const MENU_CALLBACK = /^core:owner:([a-z][a-z0-9-]{0,63})$/;

/** One button per plugin with a menu entry; pressing it hands the chat to that plugin. */
export function mainMenu(ctx: BotContext, ownership: ChatOwnership): InlineKeyboard | undefined {
  const entries = ownership.menu();
  if (!entries.length) return undefined;
  // One row per button, built whole: `.text().row()` would leave an empty last row.
  return InlineKeyboard.from(
    entries.map((entry) => [InlineKeyboard.text(ctx.t(entry.label), `core:owner:${entry.id}`)]),
  );
}
