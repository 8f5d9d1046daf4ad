import type { Message, MessageEntity, User, UserFromGetMe } from 'grammy/types';
import { BotApiError, badRequest, forbidden } from './api-error.js';
import type { BotApiMethod } from './bot-api-methods.js';
import { SandboxControlError } from './control-error.js';
import { botIdFromToken, generateBotToken } from './ids.js';
import { formatText } from './parse-mode/index.js';
import type { ChatState, MemberStatus, SandboxWorld } from './world.js';

export interface ExtraBotInput {
  /** The bot's token; a random one when omitted. */
  token?: string;
  first_name: string;
  username: string;
}

export interface ExtraBotState {
  token: string;
  bot: UserFromGetMe;
  user: User;
  /** Chats this bot was added to, with its status there. */
  chats: Map<number, MemberStatus>;
}

const registries = new WeakMap<SandboxWorld, ExtraBots>();
const MAX_TEXT = 4096;

/**
 * Further bots served by the same emulator (other tokens), for apps that run helper bots next
 * to the main one. They only send: the emulator keeps no update queue for them. People (the
 * control API) add them to groups; their messages there are attributed to them, and the main
 * bot does not receive them (Telegram never delivers one bot's messages to another).
 */
export class ExtraBots {
  readonly byToken = new Map<string, ExtraBotState>();

  constructor(private readonly world: SandboxWorld) {}

  static of(world: SandboxWorld): ExtraBots {
    let registry = registries.get(world);
    if (!registry) {
      registry = new ExtraBots(world);
      registries.set(world, registry);
    }
    return registry;
  }

  add(input: ExtraBotInput): ExtraBotState {
    const token = input.token ?? generateBotToken();
    let id: number;
    try {
      id = botIdFromToken(token);
    } catch (error) {
      throw new SandboxControlError('SANDBOX_BAD_TOKEN', (error as Error).message);
    }
    if (id === this.world.bot.id || this.world.users.has(id) || this.byId(id)) {
      throw new SandboxControlError('SANDBOX_BOT_EXISTS', `A bot or user with id ${id} already exists`, 409);
    }
    const username = input.username.replace(/^@/, '');
    if (!/^[A-Za-z][A-Za-z0-9_]{3,31}bot$/i.test(username)) {
      throw new SandboxControlError('SANDBOX_BAD_USERNAME', 'A bot username ends in "bot" (e.g. helper_bot)');
    }
    const bot = {
      id,
      is_bot: true,
      first_name: input.first_name,
      username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    } as UserFromGetMe;
    const state: ExtraBotState = {
      token,
      bot,
      user: { id, is_bot: true, first_name: input.first_name, username },
      chats: new Map(),
    };
    this.byToken.set(token, state);
    return state;
  }

  byId(id: number): ExtraBotState | undefined {
    for (const state of this.byToken.values()) if (state.bot.id === id) return state;
    return undefined;
  }

  /** Someone in the group adds the bot (Telegram: "Add member"); everyone sees the service message. */
  addToChat(chatId: number, botId: number, byUserId: number | undefined, status: MemberStatus = 'member') {
    const state = this.byId(botId);
    if (!state) throw new SandboxControlError('SANDBOX_BOT_NOT_FOUND', `No extra bot ${botId}`, 404);
    const chat = this.world.chatState(chatId);
    if (chat.chat.type === 'private' || chat.chat.type === 'channel') {
      throw new SandboxControlError('SANDBOX_BAD_CHAT', 'Extra bots join groups and supergroups');
    }
    const adder = byUserId === undefined ? undefined : this.world.userState(byUserId).user;
    state.chats.set(chatId, status);
    this.world.appendMessage(
      chat,
      {
        from: adder ?? state.user,
        new_chat_members: [state.user],
        new_chat_member: state.user,
        new_chat_participant: state.user,
      } as Partial<Message>,
      { notifyBot: true },
    );
  }

  removeFromChat(chatId: number, botId: number) {
    this.byId(botId)?.chats.set(chatId, 'left');
  }

  /** The Bot API of one extra bot: getMe, sendMessage, getChat. */
  methods(state: ExtraBotState): Record<string, BotApiMethod> {
    const world = this.world;
    const chatFor = (chatId: number | string | undefined): ChatState => {
      if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
      const id = Number(chatId);
      const chat = Number.isSafeInteger(id) ? world.chats.get(id) : undefined;
      if (!chat && world.users.has(id)) throw forbidden("bot can't initiate conversation with a user");
      if (!chat) throw badRequest('chat not found');
      if (chat.chat.type === 'private') throw forbidden("bot can't initiate conversation with a user");
      const status = state.chats.get(chat.chat.id) ?? 'left';
      if (status === 'kicked') throw forbidden('bot was kicked from the group chat');
      if (status === 'left') throw forbidden('bot is not a member of the group chat');
      return chat;
    };
    const methods: Record<string, BotApiMethod> = {
      getMe: () => state.bot,
      getUpdates: () => {
        throw new BotApiError(409, 'Conflict: this sandbox bot only sends (it receives no updates)');
      },
      sendMessage: (p) => {
        const chat = chatFor(p.chatId());
        const raw = p.string('text');
        if (raw === undefined || raw === '') throw badRequest('message text is empty');
        const text = formatText(
          raw,
          p.string('parse_mode'),
          p.json<MessageEntity[]>('entities', "can't parse entities JSON object"),
        );
        if (!text.text) throw badRequest('message text is empty');
        if (text.text.length > MAX_TEXT) throw badRequest('message is too long');
        const replyTo = p.json<{ message_id?: number }>(
          'reply_parameters',
          "can't parse reply parameters JSON object",
        )?.message_id;
        return world.appendMessage(
          chat,
          { from: state.user, text: text.text, ...(text.entities.length ? { entities: text.entities } : {}) },
          {
            byBot: true,
            replyToMessageId: replyTo !== undefined && world.findMessage(chat, replyTo) ? replyTo : undefined,
          },
        );
      },
      getChat: (p) => chatFor(p.chatId()).chat,
    };
    return Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name.toLowerCase(), fn]));
  }
}
