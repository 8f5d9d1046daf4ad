import { badRequest } from './api-error.js';
import { normalizeUrl } from './parse-mode/html.js';
import type { ChatState } from './world.js';

const BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];

export interface CheckedMarkup {
  /** Stored on the message (Telegram only echoes inline keyboards). */
  inline?: { inline_keyboard: Array<Array<Record<string, unknown>>> };
  /** A reply keyboard to show (or `null` to remove it); undefined leaves it as it is. */
  replyKeyboard?: Record<string, unknown> | null;
}

/** Validates reply_markup the way Telegram does and splits inline from reply keyboards. */
export function checkReplyMarkup(markup: unknown, chat: ChatState): CheckedMarkup {
  if (markup === undefined) return {};
  if (!markup || typeof markup !== 'object' || Array.isArray(markup)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const m = markup as Record<string, unknown>;
  if ('inline_keyboard' in m) return { inline: checkInlineKeyboard(m.inline_keyboard, chat) };
  if ('keyboard' in m) {
    if (!Array.isArray(m.keyboard) || m.keyboard.some((row) => !Array.isArray(row))) {
      throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays');
    }
    const keyboard = (m.keyboard as unknown[][]).map((row) =>
      row.map((button) => {
        const b = typeof button === 'string' ? { text: button } : (button as Record<string, unknown>);
        if (!b || typeof b.text !== 'string' || !b.text)
          throw badRequest("can't parse keyboard button: Text must be non-empty");
        return b;
      }),
    );
    return { replyKeyboard: { ...m, keyboard } };
  }
  if (m.remove_keyboard === true) return { replyKeyboard: null };
  if (m.force_reply === true) return {};
  throw badRequest("can't parse reply keyboard markup JSON object");
}

export function checkInlineKeyboard(
  rows: unknown,
  chat: ChatState,
): { inline_keyboard: Array<Array<Record<string, unknown>>> } {
  if (!Array.isArray(rows))
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  const checked = rows.map((row) => {
    if (!Array.isArray(row))
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    return row.map((button) => {
      if (!button || typeof button !== 'object') {
        throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      }
      const b = button as Record<string, unknown>;
      if (typeof b.text !== 'string') {
        throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
      }
      const actions = BUTTON_ACTIONS.filter((a) => b[a] !== undefined);
      if (actions.length === 0) {
        throw badRequest(
          "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        );
      }
      if (b.callback_data !== undefined) {
        const data = String(b.callback_data);
        const bytes = Buffer.byteLength(data, 'utf8');
        if (bytes === 0 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
      if (b.url !== undefined && !normalizeUrl(String(b.url))) throw badRequest('BUTTON_URL_INVALID');
      if (b.web_app !== undefined) {
        if (chat.chat.type !== 'private') throw badRequest('BUTTON_TYPE_INVALID');
        const url = (b.web_app as { url?: unknown })?.url;
        if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
          throw badRequest(
            `inline keyboard button Web App URL '${String(url)}' is invalid: Only HTTPS links are allowed`,
          );
        }
      }
      return b;
    });
  });
  return { inline_keyboard: checked };
}
