import { type Api, GrammyError, InlineKeyboard } from 'grammy';
import { TelegramFailure } from '../gateway/telegram-errors.js';
import { ChannelNotFoundError } from '../services/errors.js';
import type { BotTelegramPort, ChannelInfo, InlineButton } from '../services/ports.js';

/** Bot API refusals as the plugin's failures; anything else is rethrown unchanged. */
export function mapBotApiError(error: unknown): unknown {
  if (!(error instanceof GrammyError)) return error;
  const d = error.description;
  if (error.error_code === 429) {
    return new TelegramFailure('FLOOD_WAIT', d, error.parameters.retry_after ?? 30, { cause: error });
  }
  if (/message to be replied not found|message thread not found/i.test(d)) {
    return new TelegramFailure('POST_NOT_FOUND', d, undefined, { cause: error });
  }
  if (/not enough rights|CHAT_WRITE_FORBIDDEN|have no rights|bot is not a member|bot was kicked/i.test(d)) {
    return new TelegramFailure('CHAT_GUEST_SEND_FORBIDDEN', d, undefined, { cause: error });
  }
  if (/TOPIC_CLOSED/i.test(d)) return new TelegramFailure('COMMENTS_CLOSED', d, undefined, { cause: error });
  if (/SLOWMODE_WAIT_(\d+)/i.test(d)) {
    return new TelegramFailure('SLOWMODE_WAIT', d, Number(/SLOWMODE_WAIT_(\d+)/i.exec(d)![1]), {
      cause: error,
    });
  }
  return new TelegramFailure('TELEGRAM_ERROR', d, undefined, { cause: error });
}

function keyboard(buttons: InlineButton[][]): InlineKeyboard | undefined {
  if (buttons.length === 0) return undefined;
  return InlineKeyboard.from(buttons.map((row) => row.map((b) => InlineKeyboard.text(b.text, b.data))));
}

/** The Bot API side of the plugin over grammY's `Api` (core's, with retries and flood control). */
export function createBotTelegramPort(api: () => Api): BotTelegramPort {
  return {
    async inspectChannel(chatId): Promise<ChannelInfo> {
      let chat: Awaited<ReturnType<Api['getChat']>>;
      try {
        chat = await api().getChat(chatId);
      } catch (error) {
        if (error instanceof GrammyError && error.error_code === 400)
          throw new ChannelNotFoundError(String(chatId));
        throw mapBotApiError(error);
      }
      if (chat.type !== 'channel') throw new ChannelNotFoundError(`${chatId} (not a channel)`);
      const me = await api().getMe();
      const member = await api()
        .getChatMember(chatId, me.id)
        .catch(() => null);
      return {
        title: chat.title ?? '',
        username: chat.username ?? null,
        linkedChatId: (chat as { linked_chat_id?: number }).linked_chat_id ?? null,
        botIsAdmin: member?.status === 'administrator' || member?.status === 'creator',
      };
    },
    async replyInChat(chatId, replyTo, text) {
      try {
        const sent = await api().sendMessage(chatId, text, {
          reply_parameters: { message_id: replyTo, allow_sending_without_reply: false },
          link_preview_options: { is_disabled: true },
        });
        return { messageId: sent.message_id };
      } catch (error) {
        throw mapBotApiError(error);
      }
    },
    async postWithButtons(chatId, text, buttons) {
      const sent = await api().sendMessage(chatId, text, { reply_markup: keyboard(buttons) });
      return { messageId: sent.message_id };
    },
    async editWithButtons(chatId, messageId, text, buttons) {
      try {
        await api().editMessageText(chatId, messageId, text, {
          reply_markup: keyboard(buttons) ?? { inline_keyboard: [] },
        });
      } catch (error) {
        if (error instanceof GrammyError && /message is not modified/.test(error.description)) return;
        throw error;
      }
    },
    async isChatAdmin(chatId, userId) {
      const member = await api()
        .getChatMember(chatId, userId)
        .catch(() => null);
      return member?.status === 'administrator' || member?.status === 'creator';
    },
    async notify(chatId, text) {
      await api().sendMessage(chatId, text);
    },
  };
}
