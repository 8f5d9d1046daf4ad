/** The plugin's clock: tests inject one so caps, flood waits and code expiry need no sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** What the bot can learn about a channel it is in (Bot API getChat / getChatMember). */
export interface ChannelInfo {
  title: string;
  username: string | null;
  /** The linked discussion group: comments are open only when there is one. */
  linkedChatId: number | null;
  botIsAdmin: boolean;
}

export interface InlineButton {
  text: string;
  data: string;
}

/**
 * What the services need from the bot (Bot API). The grammY adapter is bot/bot-telegram-port.ts;
 * it throws `ChannelNotFoundError` for chats the bot cannot see and `TelegramFailure` for
 * Telegram's refusals (flood wait, post deleted, no rights).
 */
export interface BotTelegramPort {
  inspectChannel(chatId: number): Promise<ChannelInfo>;
  /** A reply to `replyTo` in `chatId` (the post's automatic forward in the discussion group). */
  replyInChat(chatId: number, replyTo: number, text: string): Promise<{ messageId: number }>;
  postWithButtons(chatId: number, text: string, buttons: InlineButton[][]): Promise<{ messageId: number }>;
  editWithButtons(chatId: number, messageId: number, text: string, buttons: InlineButton[][]): Promise<void>;
  isChatAdmin(chatId: number, userId: number): Promise<boolean>;
  notify(chatId: number, text: string): Promise<void>;
}
