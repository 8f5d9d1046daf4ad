import { type Api, GrammyError, InlineKeyboard, InputFile } from 'grammy';
import { ManagerGroupError } from '../services/errors.js';
import { type ButtonRows, type OutgoingFile, type TelegramPort, TopicGoneError } from '../services/ports.js';

export function inlineKeyboard(rows: ButtonRows | undefined): InlineKeyboard | undefined {
  if (!rows?.length) return undefined;
  const keyboard = new InlineKeyboard();
  rows.forEach((row, i) => {
    if (i > 0) keyboard.row();
    for (const b of row) {
      if (b.webAppUrl) keyboard.webApp(b.text, b.webAppUrl);
      else keyboard.text(b.text, b.callbackData ?? 'noop');
    }
  });
  return keyboard;
}

const TOPIC_GONE = /message thread not found|TOPIC_ID_INVALID|TOPIC_DELETED|thread not found/i;
const GROUP_UNUSABLE =
  /chat not found|not enough rights|CHAT_ADMIN_REQUIRED|the chat is not a forum|bot is not a member|bot was kicked|have no rights|group chat was upgraded|PEER_ID_INVALID/i;

function mapError(err: unknown, chatId: number, threadId?: number): unknown {
  if (!(err instanceof GrammyError)) return err;
  if (threadId !== undefined && TOPIC_GONE.test(err.description))
    return new TopicGoneError(chatId, threadId, err);
  // Group and supergroup ids are negative; a private chat failing is not a manager group problem.
  if (chatId < 0 && GROUP_UNUSABLE.test(err.description)) {
    return new ManagerGroupError('MANAGER_GROUP_UNUSABLE', `Manager group ${chatId}: ${err.description}`, {
      cause: err,
    });
  }
  return err;
}

/** The desk's Telegram port over grammY's Api (real Telegram or the sandbox emulator). */
export class GrammyTelegramPort implements TelegramPort {
  constructor(private readonly api: () => Api) {}

  async sendMessage(
    chatId: number,
    text: string,
    options: { threadId?: number; buttons?: ButtonRows } = {},
  ): Promise<number> {
    try {
      const sent = await this.api().sendMessage(chatId, text.slice(0, 4096), {
        message_thread_id: options.threadId,
        reply_markup: inlineKeyboard(options.buttons),
        link_preview_options: { is_disabled: true },
      });
      return sent.message_id;
    } catch (err) {
      throw mapError(err, chatId, options.threadId);
    }
  }

  async sendFile(chatId: number, file: OutgoingFile, options: { threadId?: number; caption?: string } = {}) {
    const input = new InputFile(file.data, file.filename);
    const extra = { message_thread_id: options.threadId, caption: options.caption?.slice(0, 1024) };
    try {
      if (/^image\/(jpeg|png|webp)$/.test(file.contentType)) await this.api().sendPhoto(chatId, input, extra);
      else await this.api().sendDocument(chatId, input, extra);
    } catch (err) {
      throw mapError(err, chatId, options.threadId);
    }
  }

  async copyMessage(
    toChatId: number,
    fromChatId: number,
    messageId: number,
    options: { threadId?: number } = {},
  ) {
    try {
      await this.api().copyMessage(toChatId, fromChatId, messageId, { message_thread_id: options.threadId });
    } catch (err) {
      throw mapError(err, toChatId, options.threadId);
    }
  }

  async createForumTopic(chatId: number, name: string): Promise<number> {
    try {
      const topic = await this.api().createForumTopic(chatId, name);
      return topic.message_thread_id;
    } catch (err) {
      const mapped = mapError(err, chatId);
      if (mapped instanceof GrammyError) {
        throw new ManagerGroupError(
          'MANAGER_GROUP_UNUSABLE',
          `Manager group ${chatId}: ${mapped.description}`,
          { cause: err },
        );
      }
      throw mapped;
    }
  }

  async closeForumTopic(chatId: number, threadId: number) {
    try {
      await this.api().closeForumTopic(chatId, threadId);
    } catch (err) {
      if (err instanceof GrammyError && /TOPIC_NOT_MODIFIED/.test(err.description)) return;
      throw mapError(err, chatId, threadId);
    }
  }

  async deleteForumTopic(chatId: number, threadId: number) {
    try {
      await this.api().deleteForumTopic(chatId, threadId);
    } catch (err) {
      const mapped = mapError(err, chatId, threadId);
      if (mapped instanceof TopicGoneError) return;
      throw mapped;
    }
  }

  async checkForumRights(chatId: number) {
    try {
      const chat = await this.api().getChat(chatId);
      if (chat.type !== 'supergroup' || !(chat as { is_forum?: boolean }).is_forum) {
        throw new ManagerGroupError(
          'MANAGER_GROUP_NOT_FORUM',
          `Manager group ${chatId} is not a supergroup with topics enabled`,
        );
      }
      const me = await this.api().getMe();
      const member = await this.api().getChatMember(chatId, me.id);
      const canManage =
        member.status === 'creator' ||
        (member.status === 'administrator' &&
          (member as { can_manage_topics?: boolean }).can_manage_topics === true);
      if (!canManage) {
        throw new ManagerGroupError(
          'MANAGER_GROUP_NO_RIGHTS',
          `The bot is not an administrator with the "Manage topics" right in manager group ${chatId}`,
        );
      }
    } catch (err) {
      if (err instanceof ManagerGroupError) throw err;
      const mapped = mapError(err, chatId);
      if (mapped instanceof GrammyError) {
        throw new ManagerGroupError(
          'MANAGER_GROUP_UNUSABLE',
          `Manager group ${chatId}: ${mapped.description}`,
          { cause: err },
        );
      }
      throw mapped;
    }
  }
}
