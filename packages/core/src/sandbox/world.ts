import type {
  BotCommand,
  CallbackQuery,
  Chat,
  ChatMember,
  ForumTopic,
  MenuButton,
  Message,
  MessageEntity,
  ReactionCount,
  ReactionType,
  Update,
  User,
  UserFromGetMe,
} from 'grammy/types';
import { badRequest, forbidden } from './api-error.js';
import { type CallbackAnswer, ChangeFeed } from './change-feed.js';
import { SandboxControlError } from './control-error.js';
import { FileStore, type FileUpload } from './file-store.js';
import { randomNumericId } from './ids.js';
import { detectAutoEntities } from './parse-mode/index.js';
import { UpdateQueue } from './update-queue.js';

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'left' | 'kicked';

export interface SandboxUserState {
  user: User;
  /** The user blocked the bot: sends to them fail with 403. */
  blocked: boolean;
  /** The user wrote to the bot at least once, so the bot may write to them. */
  startedBot: boolean;
}

export interface StoredMessage {
  message: Message;
  deleted: boolean;
  /** Sent by the bot (through the Bot API), not by a sandbox user. */
  byBot: boolean;
  /** Who reacted how (user id, or the bot's id): the latest reactions of each. */
  reactions?: Map<number, ReactionType[]>;
}

export interface TopicState {
  topic: ForumTopic;
  closed: boolean;
}

export interface ChatState {
  chat: Chat;
  members: Map<number, MemberStatus>;
  botStatus: MemberStatus;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  topics: Map<number, TopicState>;
  linkedChatId?: number;
  description?: string;
  /** The reply keyboard the bot last showed here (the playground renders it). */
  replyKeyboard?: unknown;
}

export interface CreateUserInput {
  id?: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
}

export interface CreateChatInput {
  type: 'group' | 'supergroup' | 'channel';
  title: string;
  username?: string;
  /** Users in the chat; the first one is its creator unless `ownerId` says otherwise. */
  memberIds?: number[];
  adminIds?: number[];
  ownerId?: number;
  /** Supergroups only: topics enabled. */
  isForum?: boolean;
  /** How the bot is in the chat (default: administrator; channels need it). */
  botStatus?: 'member' | 'administrator';
  /** Channels only: create a linked discussion supergroup with this title. */
  discussionGroupTitle?: string;
}

export interface UserMessageContent {
  text?: string;
  photo?: FileUpload;
  document?: FileUpload;
  caption?: string;
}

export interface UserMessageOptions {
  chatId?: number;
  threadId?: number;
  replyToMessageId?: number;
}

export interface CallbackQueryState {
  query: CallbackQuery;
  chatId: number;
  answer?: CallbackAnswer;
}

export interface WebAppQueryState {
  userId: number;
  answered: boolean;
}

const TELEGRAM_SERVICE_USER: User = { id: 777000, is_bot: false, first_name: 'Telegram' };
const TOPIC_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f];

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Everything the sandbox knows: the bot, people, chats with their messages, files, pending
 * updates. Bot API methods and the control API both change it through these methods.
 */
export class SandboxWorld {
  readonly users = new Map<number, SandboxUserState>();
  readonly chats = new Map<number, ChatState>();
  readonly files = new FileStore();
  readonly updates = new UpdateQueue();
  readonly feed = new ChangeFeed();
  readonly callbackQueries = new Map<string, CallbackQueryState>();
  readonly webAppQueries = new Map<string, WebAppQueryState>();
  /** setMyCommands by `scope|language` key. */
  readonly commands = new Map<string, BotCommand[]>();
  /** Menu button per private chat id; key 0 is the default. */
  readonly menuButtons = new Map<number, MenuButton>();
  private nextUserId = 100_000_001;
  private nextGroupSeq = 1;

  /** The bot as it appears in `from` of its messages. */
  readonly botUser: User;

  constructor(readonly bot: UserFromGetMe) {
    this.botUser = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
  }

  // ---- people -------------------------------------------------------------------------

  createUser(input: CreateUserInput): User {
    const id = input.id ?? this.nextUserId++;
    if (this.users.has(id) || id === this.bot.id) {
      throw new SandboxControlError('SANDBOX_USER_EXISTS', `User ${id} already exists`, 409);
    }
    if (input.username && this.findUserByUsername(input.username)) {
      throw new SandboxControlError('SANDBOX_USERNAME_TAKEN', `Username @${input.username} is taken`, 409);
    }
    const user: User = {
      id,
      is_bot: false,
      first_name: input.first_name,
      ...(input.last_name ? { last_name: input.last_name } : {}),
      ...(input.username ? { username: input.username } : {}),
      language_code: input.language_code ?? 'en',
      ...(input.is_premium ? { is_premium: true as const } : {}),
    };
    this.users.set(id, { user, blocked: false, startedBot: false });
    this.feed.push({ type: 'user', userId: id });
    return user;
  }

  findUserByUsername(username: string): SandboxUserState | undefined {
    const name = username.replace(/^@/, '').toLowerCase();
    for (const state of this.users.values()) if (state.user.username?.toLowerCase() === name) return state;
    return undefined;
  }

  userState(userId: number): SandboxUserState {
    const state = this.users.get(userId);
    if (!state) throw new SandboxControlError('SANDBOX_USER_NOT_FOUND', `No sandbox user ${userId}`, 404);
    return state;
  }

  /** The user blocks (or unblocks) the bot; the bot gets my_chat_member like in Telegram. */
  setBlocked(userId: number, blocked: boolean) {
    const state = this.userState(userId);
    if (state.blocked === blocked) return;
    state.blocked = blocked;
    const chat = this.privateChat(userId);
    const oldStatus = blocked ? 'member' : 'kicked';
    const newStatus = blocked ? 'kicked' : 'member';
    this.updates.push({
      my_chat_member: {
        chat: chat.chat,
        from: state.user,
        date: now(),
        old_chat_member: this.memberObject(this.bot, oldStatus),
        new_chat_member: this.memberObject(this.bot, newStatus),
      },
    } as Omit<Update, 'update_id'>);
    this.feed.push({ type: 'user', userId });
  }

  // ---- chats --------------------------------------------------------------------------

  privateChat(userId: number): ChatState {
    const existing = this.chats.get(userId);
    if (existing) return existing;
    const { user } = this.userState(userId);
    const chat: Chat = {
      id: user.id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
    } as Chat;
    const state = this.newChatState(chat, 'member');
    state.members.set(userId, 'member');
    this.chats.set(user.id, state);
    this.feed.push({ type: 'chat', chatId: chat.id });
    return state;
  }

  createChat(input: CreateChatInput): ChatState {
    if (input.type !== 'supergroup' && input.isForum) {
      throw new SandboxControlError('SANDBOX_BAD_CHAT', 'Only supergroups can have topics');
    }
    const seq = this.nextGroupSeq++;
    const id = input.type === 'group' ? -(4_100_000_000 + seq) : -(1_002_000_000_000 + seq);
    const chat = {
      id,
      type: input.type,
      title: input.title,
      ...(input.username ? { username: input.username.replace(/^@/, '') } : {}),
      ...(input.isForum ? { is_forum: true } : {}),
    } as Chat;
    const botStatus = input.botStatus ?? 'administrator';
    const state = this.newChatState(chat, botStatus);
    const memberIds = input.memberIds ?? [];
    const ownerId = input.ownerId ?? memberIds[0];
    for (const userId of memberIds) {
      this.userState(userId);
      state.members.set(userId, 'member');
    }
    for (const userId of input.adminIds ?? []) {
      this.userState(userId);
      state.members.set(userId, 'administrator');
    }
    if (ownerId !== undefined) {
      this.userState(ownerId);
      state.members.set(ownerId, 'creator');
    }
    this.chats.set(id, state);
    const adder = ownerId !== undefined ? this.userState(ownerId).user : TELEGRAM_SERVICE_USER;
    this.updates.push({
      my_chat_member: {
        chat,
        from: adder,
        date: now(),
        old_chat_member: this.memberObject(this.bot, 'left'),
        new_chat_member: this.memberObject(this.bot, botStatus),
      },
    } as Omit<Update, 'update_id'>);
    this.feed.push({ type: 'chat', chatId: id });
    if (input.type === 'channel' && input.discussionGroupTitle) {
      const group = this.createChat({
        type: 'supergroup',
        title: input.discussionGroupTitle,
        memberIds,
        adminIds: input.adminIds,
        ownerId,
        botStatus: 'administrator',
      });
      state.linkedChatId = group.chat.id;
      group.linkedChatId = id;
    }
    return state;
  }

  chatState(chatId: number): ChatState {
    const state = this.chats.get(chatId);
    if (!state) throw new SandboxControlError('SANDBOX_CHAT_NOT_FOUND', `No sandbox chat ${chatId}`, 404);
    return state;
  }

  addMember(chatId: number, userId: number, status: MemberStatus = 'member') {
    const chat = this.chatState(chatId);
    const { user } = this.userState(userId);
    if (chat.chat.type === 'private')
      throw new SandboxControlError('SANDBOX_BAD_CHAT', 'Private chats have no members');
    chat.members.set(userId, status);
    if (chat.chat.type !== 'channel') {
      this.appendMessage(chat, { from: user, new_chat_members: [user] } as Partial<Message>, {
        notifyBot: true,
      });
    }
  }

  /**
   * The chat the bot means by a `chat_id` parameter, checking that it may write there:
   * unknown chats, chats without the bot, users who never started it or blocked it fail the
   * way Telegram fails.
   */
  resolveChatForBot(chatId: number | string | undefined): ChatState {
    if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
    let state: ChatState | undefined;
    if (typeof chatId === 'string' && chatId.startsWith('@')) {
      const name = chatId.slice(1).toLowerCase();
      state = [...this.chats.values()].find(
        (c) =>
          c.chat.type !== 'private' && (c.chat as { username?: string }).username?.toLowerCase() === name,
      );
    } else {
      const id = Number(chatId);
      if (!Number.isSafeInteger(id)) throw badRequest('chat not found');
      state = this.chats.get(id);
      if (!state && id > 0 && this.users.has(id)) {
        throw forbidden("bot can't initiate conversation with a user");
      }
    }
    if (!state) throw badRequest('chat not found');
    if (state.chat.type === 'private') {
      const user = this.userState(state.chat.id);
      if (user.blocked) throw forbidden('bot was blocked by the user');
      if (!user.startedBot) throw forbidden("bot can't initiate conversation with a user");
    } else if (state.botStatus === 'left') {
      throw badRequest('chat not found');
    } else if (state.botStatus === 'kicked') {
      throw forbidden(`bot was kicked from the ${state.chat.type === 'channel' ? 'channel' : 'group'} chat`);
    } else if (state.chat.type === 'channel' && state.botStatus !== 'administrator') {
      throw badRequest('need administrator rights in the channel chat');
    }
    return state;
  }

  memberStatus(chat: ChatState, userId: number): MemberStatus {
    if (userId === this.bot.id) return chat.botStatus;
    return chat.members.get(userId) ?? 'left';
  }

  memberObject(user: User, status: MemberStatus): ChatMember {
    switch (status) {
      case 'creator':
        return { status, user, is_anonymous: false };
      case 'administrator':
        return {
          status,
          user,
          can_be_edited: false,
          is_anonymous: false,
          can_manage_chat: true,
          can_delete_messages: true,
          can_manage_video_chats: true,
          can_restrict_members: true,
          can_promote_members: false,
          can_change_info: true,
          can_invite_users: true,
          can_post_stories: false,
          can_edit_stories: false,
          can_delete_stories: false,
          can_post_messages: true,
          can_edit_messages: true,
          can_pin_messages: true,
          can_manage_topics: true,
        } as ChatMember;
      case 'kicked':
        return { status, user, until_date: 0 };
      default:
        return { status, user } as ChatMember;
    }
  }

  // ---- topics -------------------------------------------------------------------------

  createTopic(chat: ChatState, name: string, creator: User | UserFromGetMe, iconColor?: number): ForumTopic {
    if (!(chat.chat as { is_forum?: boolean }).is_forum) throw badRequest('the chat is not a forum');
    if (!name || name.length > 128) throw badRequest('TOPIC_TITLE_EMPTY');
    const topicMessage = this.appendMessage(
      chat,
      {
        from: creator as User,
        forum_topic_created: {
          name,
          icon_color: iconColor ?? TOPIC_COLORS[chat.topics.size % TOPIC_COLORS.length],
        },
      } as Partial<Message>,
      { notifyBot: creator.id !== this.bot.id, skipThreadCheck: true },
    );
    const topic: ForumTopic = {
      message_thread_id: topicMessage.message_id,
      name,
      icon_color: (topicMessage as { forum_topic_created: { icon_color: number } }).forum_topic_created
        .icon_color,
    };
    // The creation message is itself the first message of its topic.
    Object.assign(topicMessage, { message_thread_id: topic.message_thread_id, is_topic_message: true });
    chat.topics.set(topic.message_thread_id, { topic, closed: false });
    return topic;
  }

  topicState(chat: ChatState, threadId: number): TopicState {
    const topic = chat.topics.get(threadId);
    if (!topic) throw badRequest('message thread not found');
    return topic;
  }

  // ---- messages -----------------------------------------------------------------------

  /** The message as stored, or undefined when it never existed or was deleted. */
  findMessage(chat: ChatState, messageId: number): Message | undefined {
    const stored = chat.messages.get(messageId);
    return stored && !stored.deleted ? stored.message : undefined;
  }

  /** Sent by this bot (not by a person, nor by another bot the emulator serves). */
  isByBot(chat: ChatState, messageId: number): boolean {
    const stored = chat.messages.get(messageId);
    if (!stored?.byBot) return false;
    const from = stored.message.from;
    return from === undefined || from.id === this.bot.id;
  }

  transcript(chat: ChatState, threadId?: number): Message[] {
    const out: Message[] = [];
    for (const stored of chat.messages.values()) {
      if (stored.deleted) continue;
      if (
        threadId !== undefined &&
        (stored.message as { message_thread_id?: number }).message_thread_id !== threadId
      ) {
        continue;
      }
      out.push(stored.message);
    }
    return out;
  }

  /**
   * Stores a new message in `chat` with the next id and the current date, links the reply
   * and topic, records it in the feed and, for messages people send, queues the update.
   */
  appendMessage(
    chat: ChatState,
    partial: Partial<Message>,
    options: {
      threadId?: number;
      replyToMessageId?: number;
      notifyBot?: boolean;
      skipThreadCheck?: boolean;
      byBot?: boolean;
    } = {},
  ): Message {
    const message = {
      message_id: chat.nextMessageId++,
      ...(partial.from ? { from: partial.from } : {}),
      ...(partial.sender_chat ? { sender_chat: partial.sender_chat } : {}),
      chat: chat.chat,
      date: now(),
      ...partial,
    } as Message & Record<string, unknown>;
    if (options.threadId !== undefined && !options.skipThreadCheck) {
      if (!(chat.chat as { is_forum?: boolean }).is_forum) throw badRequest('message thread not found');
      const topic = this.topicState(chat, options.threadId);
      message.message_thread_id = topic.topic.message_thread_id;
      message.is_topic_message = true;
    }
    if (options.replyToMessageId !== undefined) {
      const replied = this.findMessage(chat, options.replyToMessageId);
      if (replied) {
        const { reply_to_message: _drop, ...shallow } = replied as Message & { reply_to_message?: unknown };
        message.reply_to_message = shallow as never;
        const repliedThread = (replied as { message_thread_id?: number }).message_thread_id;
        if (message.message_thread_id === undefined && repliedThread !== undefined) {
          message.message_thread_id = repliedThread;
          if ((chat.chat as { is_forum?: boolean }).is_forum) message.is_topic_message = true;
        } else if (
          message.message_thread_id === undefined &&
          (replied as { is_automatic_forward?: boolean }).is_automatic_forward
        ) {
          // Comments to a channel post form a thread rooted at the forwarded post.
          message.message_thread_id = replied.message_id;
        }
      }
    } else if (message.is_topic_message && message.message_thread_id !== undefined) {
      const root = this.findMessage(chat, message.message_thread_id as number);
      if (root) {
        const { reply_to_message: _drop, ...shallow } = root as Message & { reply_to_message?: unknown };
        message.reply_to_message = shallow as never;
      }
    }
    const byBot = options.byBot ?? message.from?.id === this.bot.id;
    chat.messages.set(message.message_id, { message, deleted: false, byBot });
    this.feed.push({ type: 'message', chatId: chat.chat.id, message, byBot });
    if (options.notifyBot) this.notifyBot(chat, message);
    return message;
  }

  private notifyBot(chat: ChatState, message: Message) {
    if (chat.chat.type === 'channel') {
      if (chat.botStatus === 'administrator') this.updates.push({ channel_post: message as never });
      return;
    }
    if (chat.botStatus === 'left' || chat.botStatus === 'kicked') return;
    this.updates.push({ message: message as never });
  }

  markEdited(chat: ChatState, message: Message) {
    (message as { edit_date?: number }).edit_date = now();
    this.feed.push({ type: 'edit', chatId: chat.chat.id, message, byBot: true });
  }

  deleteMessage(chat: ChatState, messageId: number) {
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted) return false;
    stored.deleted = true;
    this.feed.push({ type: 'delete', chatId: chat.chat.id, messageId });
    return true;
  }

  // ---- reactions ----------------------------------------------------------------------

  /**
   * `actor` sets their reactions on a message (an empty list removes them). Like Telegram:
   * in a channel reactions are anonymous, so an administrator bot gets `message_reaction_count`;
   * in a group where the bot is an administrator it gets `message_reaction` with the old and
   * new lists; the bot hears nothing about its own reactions.
   */
  setReaction(actor: User, chat: ChatState, messageId: number, reactions: ReactionType[]): void {
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest('message to react not found');
    stored.reactions ??= new Map();
    const old = stored.reactions.get(actor.id) ?? [];
    if (reactions.length) stored.reactions.set(actor.id, reactions);
    else stored.reactions.delete(actor.id);
    if (actor.id === this.bot.id || chat.botStatus !== 'administrator') return;
    if (chat.chat.type === 'channel') {
      this.updates.push({
        message_reaction_count: {
          chat: chat.chat,
          message_id: messageId,
          date: now(),
          reactions: this.reactionCounts(chat, messageId),
        },
      });
      return;
    }
    this.updates.push({
      message_reaction: {
        chat: chat.chat,
        message_id: messageId,
        user: actor,
        date: now(),
        old_reaction: old,
        new_reaction: reactions,
      },
    });
  }

  /** The reactions on a message, counted per type (what Telegram shows under it). */
  reactionCounts(chat: ChatState, messageId: number): ReactionCount[] {
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted)
      throw new SandboxControlError(
        'SANDBOX_MESSAGE_NOT_FOUND',
        `No message ${messageId} in ${chat.chat.id}`,
        404,
      );
    const counts = new Map<string, ReactionCount>();
    for (const list of stored.reactions?.values() ?? []) {
      for (const type of list) {
        const key = JSON.stringify(type);
        const entry = counts.get(key) ?? { type, total_count: 0 };
        entry.total_count++;
        counts.set(key, entry);
      }
    }
    return [...counts.values()].sort((a, b) => b.total_count - a.total_count);
  }

  // ---- what people do -----------------------------------------------------------------

  /** A person sends text, a photo or a document: stored, then delivered to the bot. */
  userSends(userId: number, content: UserMessageContent, options: UserMessageOptions = {}): Message {
    const state = this.userState(userId);
    const chat =
      options.chatId === undefined || options.chatId === userId
        ? this.privateChat(userId)
        : this.chatState(options.chatId);
    if (chat.chat.type === 'channel') return this.channelPost(chat.chat.id, content, userId);
    if (chat.chat.type !== 'private') {
      const status = this.memberStatus(chat, userId);
      if (status === 'left' || status === 'kicked') {
        throw new SandboxControlError(
          'SANDBOX_NOT_A_MEMBER',
          `User ${userId} is not in chat ${chat.chat.id}`,
          403,
        );
      }
      if (options.threadId !== undefined) {
        const topic = chat.topics.get(options.threadId);
        if (topic?.closed && status !== 'creator' && status !== 'administrator') {
          throw new SandboxControlError('SANDBOX_TOPIC_CLOSED', 'The topic is closed', 403);
        }
      }
    } else {
      if (state.blocked) this.setBlocked(userId, false);
      state.startedBot = true;
    }
    const message = this.appendMessage(
      chat,
      { from: state.user, ...this.contentFields(content) },
      {
        threadId: options.threadId,
        replyToMessageId: options.replyToMessageId,
        notifyBot: true,
      },
    );
    return message;
  }

  /** A channel admin posts; the bot gets channel_post and the discussion group gets the copy. */
  channelPost(chatId: number, content: UserMessageContent, authorId?: number): Message {
    const chat = this.chatState(chatId);
    if (chat.chat.type !== 'channel')
      throw new SandboxControlError('SANDBOX_BAD_CHAT', `${chatId} is not a channel`);
    if (authorId !== undefined) {
      const status = this.memberStatus(chat, authorId);
      if (status !== 'creator' && status !== 'administrator') {
        throw new SandboxControlError(
          'SANDBOX_NOT_ADMIN',
          `User ${authorId} cannot post in channel ${chatId}`,
          403,
        );
      }
    }
    const post = this.appendMessage(
      chat,
      { sender_chat: chat.chat, ...this.contentFields(content) },
      { notifyBot: true },
    );
    if (chat.linkedChatId !== undefined) {
      const group = this.chatState(chat.linkedChatId);
      this.appendMessage(
        group,
        {
          from: TELEGRAM_SERVICE_USER,
          sender_chat: chat.chat,
          is_automatic_forward: true,
          forward_origin: { type: 'channel', chat: chat.chat, message_id: post.message_id, date: post.date },
          forward_from_chat: chat.chat,
          forward_from_message_id: post.message_id,
          forward_date: post.date,
          ...this.contentFields(content),
        } as Partial<Message>,
        { notifyBot: true },
      );
    }
    return post;
  }

  /** A person reacts to a message in a chat they can see (an empty list takes the reaction back). */
  userReacts(userId: number, chatId: number, messageId: number, emoji: string[]) {
    const { user } = this.userState(userId);
    const chat = this.chatState(chatId);
    if (
      chat.chat.type === 'private'
        ? chat.chat.id !== userId
        : ['left', 'kicked'].includes(this.memberStatus(chat, userId))
    ) {
      throw new SandboxControlError('SANDBOX_NOT_A_MEMBER', `User ${userId} cannot see chat ${chatId}`, 403);
    }
    if (!this.findMessage(chat, messageId))
      throw new SandboxControlError('SANDBOX_MESSAGE_NOT_FOUND', `No message ${messageId} in ${chatId}`, 404);
    const reactions = [...new Set(emoji)].map((e) => ({ type: 'emoji', emoji: e }) as ReactionType);
    this.setReaction(user, chat, messageId, reactions);
  }

  /** A person presses an inline button; returns the callback query id the bot must answer. */
  pressButton(userId: number, chatId: number, messageId: number, button: { data?: string; text?: string }) {
    const { user } = this.userState(userId);
    const chat = this.chatState(chatId);
    if (
      chat.chat.type === 'private'
        ? chat.chat.id !== userId
        : ['left', 'kicked'].includes(this.memberStatus(chat, userId))
    ) {
      throw new SandboxControlError('SANDBOX_NOT_A_MEMBER', `User ${userId} cannot see chat ${chatId}`, 403);
    }
    const message = this.findMessage(chat, messageId);
    if (!message)
      throw new SandboxControlError('SANDBOX_MESSAGE_NOT_FOUND', `No message ${messageId} in ${chatId}`, 404);
    const rows = (message as { reply_markup?: { inline_keyboard?: Array<Array<Record<string, unknown>>> } })
      .reply_markup?.inline_keyboard;
    const buttons = rows?.flat() ?? [];
    const found = buttons.find((b) =>
      button.data !== undefined ? b.callback_data === button.data : b.text === button.text,
    );
    if (!found) {
      throw new SandboxControlError(
        'SANDBOX_BUTTON_NOT_FOUND',
        `Message ${messageId} has no inline button ${JSON.stringify(button.data ?? button.text)}; buttons: ${buttons
          .map((b) => JSON.stringify(b.text))
          .join(', ')}`,
        404,
      );
    }
    if (typeof found.callback_data !== 'string') {
      throw new SandboxControlError(
        'SANDBOX_NOT_A_CALLBACK_BUTTON',
        `Button ${JSON.stringify(found.text)} is not a callback button`,
      );
    }
    const query = {
      id: randomNumericId(),
      from: user,
      message: structuredClone(message),
      chat_instance: String(BigInt.asUintN(63, BigInt(chat.chat.id) * 2654435761n + BigInt(this.bot.id))),
      data: found.callback_data,
    } as CallbackQuery;
    this.callbackQueries.set(query.id, { query, chatId });
    this.updates.push({ callback_query: query });
    return query;
  }

  answerCallback(queryId: string, answer: CallbackAnswer) {
    const state = this.callbackQueries.get(queryId);
    if (!state || state.answer) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    state.answer = answer;
    this.feed.push({ type: 'callback_answer', chatId: state.chatId, callbackQueryId: queryId, answer });
  }

  contentFields(content: UserMessageContent): Partial<Message> {
    const fields: Record<string, unknown> = {};
    if (content.text !== undefined) {
      const text = content.text;
      if (!text.trim()) throw new SandboxControlError('SANDBOX_EMPTY_MESSAGE', 'Message text is empty');
      if (text.length > 4096)
        throw new SandboxControlError('SANDBOX_TOO_LONG', 'Message is longer than 4096 characters');
      fields.text = text;
      const entities = detectAutoEntities(text);
      if (entities.length > 0) fields.entities = entities;
      return fields as Partial<Message>;
    }
    if (content.photo) {
      fields.photo = this.files.photoSizes(this.files.storePhoto(content.photo));
    } else if (content.document) {
      const record = this.files.storeDocument(content.document);
      fields.document = {
        file_id: record.fileId,
        file_unique_id: record.fileUniqueId,
        file_size: record.data.length,
        mime_type: record.mimeType,
        ...(record.fileName ? { file_name: record.fileName } : {}),
      };
    } else {
      throw new SandboxControlError('SANDBOX_EMPTY_MESSAGE', 'A message needs text, a photo or a document');
    }
    if (content.caption) {
      fields.caption = content.caption;
      const entities = detectAutoEntities(content.caption);
      if (entities.length > 0) fields.caption_entities = entities;
    }
    return fields as Partial<Message>;
  }

  private newChatState(chat: Chat, botStatus: MemberStatus): ChatState {
    return {
      chat,
      members: new Map(),
      botStatus,
      nextMessageId: 1,
      messages: new Map(),
      topics: new Map(),
    };
  }
}

export type { MessageEntity };
