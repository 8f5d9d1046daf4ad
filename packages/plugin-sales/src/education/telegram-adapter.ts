import { type Api, GrammyError } from 'grammy';
import type { Logger } from 'pino';
import { EducationGroupUnusableError } from './errors.js';
import type { AssistantBotsPort, AssistantIdentity, EducationTelegram, GroupInfo } from './ports.js';

const GONE =
  /chat not found|bot was kicked|bot is not a member|group chat was deactivated|PEER_ID_INVALID|upgraded/i;
const NO_RIGHTS = /not enough rights|CHAT_ADMIN_REQUIRED|have no rights/i;

function unusable(err: unknown, chatId: number): unknown {
  if (!(err instanceof GrammyError)) return err;
  if (GONE.test(err.description)) {
    return new EducationGroupUnusableError(
      'EDU_GROUP_NOT_FOUND',
      `Group ${chatId} is gone or the bot is not in it (${err.description})`,
      chatId,
      { cause: err },
    );
  }
  if (NO_RIGHTS.test(err.description)) {
    return new EducationGroupUnusableError(
      'EDU_BOT_NOT_ADMIN',
      `The bot is not an admin that may invite people in group ${chatId} (${err.description})`,
      chatId,
      { cause: err },
    );
  }
  return err;
}

const ASSISTANT_RETRY_MS = 5 * 60_000;

/** EducationTelegram over grammY's Api (real Telegram or the sandbox emulator). */
export class GrammyEducationTelegram implements EducationTelegram {
  constructor(private readonly api: () => Api) {}

  async inspectGroup(chatId: number): Promise<GroupInfo> {
    try {
      const chat = await this.api().getChat(chatId);
      if (chat.type !== 'group' && chat.type !== 'supergroup') {
        throw new EducationGroupUnusableError(
          'EDU_NOT_A_GROUP',
          `${chatId} is a ${chat.type}, not a group`,
          chatId,
        );
      }
      const me = await this.api().getChatMember(chatId, (await this.api().getMe()).id);
      if (me.status !== 'administrator') {
        throw new EducationGroupUnusableError(
          'EDU_BOT_NOT_ADMIN',
          `The bot is ${me.status} in group ${chatId}; make it an admin with the right to invite users`,
          chatId,
        );
      }
      if (!me.can_invite_users) {
        throw new EducationGroupUnusableError(
          'EDU_NO_INVITE_RIGHTS',
          `The bot is an admin of group ${chatId} but may not invite users; give it that right`,
          chatId,
        );
      }
      return { chatId, title: chat.title ?? String(chatId) };
    } catch (err) {
      throw unusable(err, chatId);
    }
  }

  async createSingleUseInvite(chatId: number, name: string): Promise<string> {
    try {
      const link = await this.api().createChatInviteLink(chatId, {
        name: name.slice(0, 32),
        member_limit: 1,
      });
      return link.invite_link;
    } catch (err) {
      throw unusable(err, chatId);
    }
  }

  async revokeInvite(chatId: number, link: string): Promise<void> {
    await this.api().revokeChatInviteLink(chatId, link);
  }

  async sendText(chatId: number, text: string, options: { replyTo?: number; removeKeyboard?: boolean } = {}) {
    const sent = await this.api().sendMessage(chatId, text.slice(0, 4096), {
      link_preview_options: { is_disabled: true },
      ...(options.replyTo
        ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }
        : {}),
      ...(options.removeKeyboard ? { reply_markup: { remove_keyboard: true } } : {}),
    });
    return sent.message_id;
  }

  async sendCreateGroupButton(chatId: number, text: string, buttonText: string, requestId: number) {
    const sent = await this.api().sendMessage(chatId, text, {
      reply_markup: {
        keyboard: [
          [
            {
              text: buttonText,
              request_chat: {
                request_id: requestId,
                chat_is_channel: false,
                chat_is_created: true,
                bot_is_member: true,
                request_title: true,
                bot_administrator_rights: {
                  is_anonymous: false,
                  can_manage_chat: true,
                  can_delete_messages: true,
                  can_manage_video_chats: false,
                  can_restrict_members: true,
                  can_promote_members: false,
                  can_change_info: false,
                  can_invite_users: true,
                  can_post_stories: false,
                  can_edit_stories: false,
                  can_delete_stories: false,
                  can_pin_messages: true,
                  can_send_welcome_messages: false,
                },
              },
            },
          ],
        ],
        resize_keyboard: true,
        one_time_keyboard: true,
      },
    });
    return sent.message_id;
  }
}

/**
 * The operator's assistant bots over grammY: one Api per token, against the same Bot API root
 * as the main bot (so the sandbox serves them too). getMe runs once, lazily; a token Telegram
 * refuses is logged and left out.
 */
export class GrammyAssistantBots implements AssistantBotsPort {
  private loaded: Promise<Array<{ api: Api; identity: AssistantIdentity }>> | undefined;
  /** When some token failed: the time after which getMe is tried again (Telegram may have been down). */
  private retryAt: number | undefined;

  constructor(
    private readonly tokens: string[],
    private readonly makeApi: (token: string) => Api,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private load() {
    if (this.retryAt !== undefined && this.now() >= this.retryAt) {
      this.loaded = undefined;
      this.retryAt = undefined;
    }
    this.loaded ??= (async () => {
      const bots: Array<{ api: Api; identity: AssistantIdentity }> = [];
      for (const [i, token] of this.tokens.entries()) {
        const api = this.makeApi(token);
        try {
          const me = await api.getMe();
          if (!me.is_bot) throw new Error('not a bot');
          if (!/assist|ассистент|helper|помощник|bot/i.test(me.first_name)) {
            this.logger.warn(
              { username: me.username },
              'assistant bot: its display name should say it is an assistant bot (set it in BotFather)',
            );
          }
          bots.push({ api, identity: { id: me.id, username: me.username, firstName: me.first_name } });
        } catch (err) {
          // The token itself is never logged.
          this.logger.error(
            { err: (err as Error).message, index: i },
            'assistant bot did not answer getMe; skipping it for 5 minutes',
          );
          this.retryAt = this.now() + ASSISTANT_RETRY_MS;
        }
      }
      return bots;
    })();
    return this.loaded;
  }

  async identities(): Promise<AssistantIdentity[]> {
    return (await this.load()).map((b) => b.identity);
  }

  async send(index: number, chatId: number, text: string): Promise<number> {
    const bot = (await this.load())[index];
    if (!bot) throw new Error(`No assistant bot #${index}`);
    const sent = await bot.api.sendMessage(chatId, text.slice(0, 4096), {
      link_preview_options: { is_disabled: true },
    });
    return sent.message_id;
  }
}
