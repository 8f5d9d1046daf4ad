import type {
  BotCommand,
  InlineKeyboardMarkup,
  MenuButton,
  Message,
  MessageEntity,
  ReactionType,
} from 'grammy/types';
import { BotApiError, badRequest } from './api-error.js';
import type { FileUpload, StoredFileRecord } from './file-store.js';
import type { BotApiParams, FileParam } from './params.js';
import { formatText } from './parse-mode/index.js';
import { checkInlineKeyboard, checkReplyMarkup } from './reply-markup.js';
import type { WebhookDelivery } from './webhook.js';
import type { ChatState, SandboxWorld } from './world.js';

/** A method result plus Telegram's optional `description` (setWebhook says "Webhook was set"). */
export class ResultWithDescription {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export interface MethodContext {
  signal: AbortSignal;
}

export type BotApiMethod = (params: BotApiParams, ctx: MethodContext) => unknown | Promise<unknown>;

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
const TOPIC_ICON_COLORS = new Set([0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f]);

interface SendTarget {
  chat: ChatState;
  threadId?: number;
  replyToMessageId?: number;
}

/**
 * The Bot API methods of the emulator, keyed by lower-case name (Telegram matches method
 * names case-insensitively). Each checks parameters like Telegram and changes the world.
 */
export function createBotApiMethods(
  world: SandboxWorld,
  webhook: WebhookDelivery,
): Record<string, BotApiMethod> {
  const bot = world.bot;
  const botUser = world.botUser;

  const target = (p: BotApiParams, chatParam = 'chat_id'): SendTarget => {
    const chat = world.resolveChatForBot(p.chatId(chatParam));
    let threadId = p.int('message_thread_id');
    if (threadId !== undefined && (chat.chat as { is_forum?: boolean }).is_forum) {
      const topic = world.topicState(chat, threadId);
      if (topic.closed) throw badRequest('TOPIC_CLOSED');
    } else {
      threadId = undefined;
    }
    let replyToMessageId = p.int('reply_to_message_id');
    let allowWithout = p.bool('allow_sending_without_reply') ?? false;
    const replyParameters = p.json<{
      message_id?: number;
      allow_sending_without_reply?: boolean;
      chat_id?: unknown;
    }>('reply_parameters', "can't parse reply parameters JSON object");
    if (replyParameters) {
      replyToMessageId = replyParameters.message_id;
      allowWithout = replyParameters.allow_sending_without_reply ?? false;
    }
    if (replyToMessageId !== undefined && !world.findMessage(chat, replyToMessageId)) {
      if (!allowWithout) throw badRequest('message to be replied not found');
      replyToMessageId = undefined;
    }
    return { chat, threadId, replyToMessageId };
  };

  const senderFields = (chat: ChatState): Partial<Message> =>
    chat.chat.type === 'channel' ? { sender_chat: chat.chat } : { from: botUser };

  const applyMarkup = (chat: ChatState, p: BotApiParams): Partial<Message> => {
    const markup = checkReplyMarkup(
      p.json('reply_markup', "can't parse reply keyboard markup JSON object"),
      chat,
    );
    if (markup.replyKeyboard !== undefined) chat.replyKeyboard = markup.replyKeyboard ?? undefined;
    return markup.inline ? ({ reply_markup: markup.inline } as unknown as Partial<Message>) : {};
  };

  const formatted = (raw: string, p: BotApiParams, modeParam: string, entitiesParam: string) =>
    formatText(
      raw,
      p.string(modeParam),
      p.json<MessageEntity[]>(entitiesParam, `can't parse ${entitiesParam} JSON object`),
    );

  const captionFields = (p: BotApiParams): Partial<Message> => {
    const raw = p.string('caption');
    if (raw === undefined || raw === '') return {};
    const caption = formatted(raw, p, 'parse_mode', 'caption_entities');
    if (caption.text.length > MAX_CAPTION) throw badRequest('message caption is too long');
    if (!caption.text) return {};
    return {
      caption: caption.text,
      ...(caption.entities.length ? { caption_entities: caption.entities } : {}),
    } as Partial<Message>;
  };

  const send = (t: SendTarget, content: Partial<Message>, p: BotApiParams): Message => {
    const markup = applyMarkup(t.chat, p);
    const extra: Record<string, unknown> = {};
    if (p.bool('protect_content')) extra.has_protected_content = true;
    return world.appendMessage(
      t.chat,
      { ...senderFields(t.chat), ...content, ...extra, ...markup },
      { threadId: t.threadId, replyToMessageId: t.replyToMessageId, byBot: true },
    );
  };

  const resolveFile = async (
    param: FileParam | undefined,
    kind: 'photo' | 'document',
  ): Promise<StoredFileRecord> => {
    if (!param) throw badRequest(`there is no ${kind} in the request`);
    if (param.kind === 'file_id') {
      const record = world.files.get(param.fileId);
      if (!record) throw badRequest('wrong file identifier/HTTP URL specified');
      return record;
    }
    let upload: FileUpload;
    if (param.kind === 'url') {
      upload = await download(param.url);
    } else {
      upload = param.upload;
    }
    return kind === 'photo' ? world.files.storePhoto(upload) : world.files.storeDocument(upload);
  };

  const messageToEdit = (p: BotApiParams): { chat: ChatState; message: Message } => {
    if (p.has('inline_message_id')) throw badRequest('MESSAGE_ID_INVALID');
    const chat = world.resolveChatForBot(p.chatId());
    const messageId = p.int('message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const message = world.findMessage(chat, messageId);
    if (!message) throw badRequest('message to edit not found');
    const sentByBot = world.isByBot(chat, message.message_id);
    if (!sentByBot) throw badRequest("message can't be edited");
    return { chat, message };
  };

  const notModified = () =>
    badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );

  const editedMarkup = (chat: ChatState, p: BotApiParams) => {
    const raw = p.json<{ inline_keyboard?: unknown }>(
      'reply_markup',
      "can't parse reply keyboard markup JSON object",
    );
    if (raw === undefined) return undefined;
    if (!raw || typeof raw !== 'object' || !('inline_keyboard' in raw))
      throw badRequest('inline keyboard expected');
    const checked = checkInlineKeyboard(raw.inline_keyboard, chat);
    return checked.inline_keyboard.length ? checked : undefined;
  };

  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

  const topicOf = (p: BotApiParams) => {
    const chat = world.resolveChatForBot(p.chatId());
    if (!(chat.chat as { is_forum?: boolean }).is_forum) throw badRequest('the chat is not a forum');
    if (chat.botStatus !== 'administrator') throw badRequest('not enough rights to manage topics');
    const threadId = p.int('message_thread_id');
    const topic = threadId === undefined ? undefined : chat.topics.get(threadId);
    if (!topic) throw badRequest('TOPIC_ID_INVALID');
    return { chat, topic };
  };

  const commandsKey = (p: BotApiParams) => {
    const scope = p.json<{ type?: string }>('scope', "can't parse BotCommandScope JSON object") ?? {
      type: 'default',
    };
    return `${JSON.stringify(scope)}|${p.string('language_code') ?? ''}`;
  };

  const contentCopy = (source: Message): Partial<Message> => {
    const fields: Record<string, unknown> = {};
    for (const key of ['text', 'entities', 'photo', 'document', 'caption', 'caption_entities'] as const) {
      const value = (source as unknown as Record<string, unknown>)[key];
      if (value !== undefined) fields[key] = value;
    }
    return fields as Partial<Message>;
  };

  const methods: Record<string, BotApiMethod> = {
    getMe: () => bot,

    logOut: () => true,
    close: () => true,

    getUpdates: async (p, ctx) => {
      if (webhook.active) {
        throw new BotApiError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
      }
      return world.updates.getUpdates(
        {
          offset: p.int('offset'),
          limit: p.int('limit'),
          timeoutSeconds: p.int('timeout'),
          allowedUpdates: p.json<string[]>('allowed_updates', "can't parse allowed_updates JSON object"),
        },
        ctx.signal,
      );
    },

    setWebhook: (p) => {
      const url = p.string('url') ?? '';
      if (!url) {
        webhook.remove();
        if (p.bool('drop_pending_updates')) world.updates.clear();
        return new ResultWithDescription(true, 'Webhook was deleted');
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      }
      const secretToken = p.string('secret_token');
      if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
        throw badRequest('secret token contains unallowed characters');
      }
      const maxConnections = p.int('max_connections') ?? 40;
      if (maxConnections < 1 || maxConnections > 100)
        throw badRequest('bad webhook: invalid max_connections specified');
      world.updates.setAllowedUpdates(
        p.json<string[]>('allowed_updates', "can't parse allowed_updates JSON object"),
      );
      if (p.bool('drop_pending_updates')) world.updates.clear();
      const wasSet = webhook.active;
      webhook.set({ url, secretToken, maxConnections, ipAddress: p.string('ip_address') });
      return new ResultWithDescription(true, wasSet ? 'Webhook was updated' : 'Webhook was set');
    },

    deleteWebhook: (p) => {
      const wasSet = webhook.active;
      webhook.remove();
      if (p.bool('drop_pending_updates')) world.updates.clear();
      return new ResultWithDescription(true, wasSet ? 'Webhook was deleted' : 'Webhook is already deleted');
    },

    getWebhookInfo: () => webhook.info(),

    sendMessage: (p) => {
      const t = target(p);
      const raw = p.string('text');
      if (raw === undefined || raw === '') throw badRequest('message text is empty');
      const text = formatted(raw, p, 'parse_mode', 'entities');
      if (!text.text) throw badRequest('message text is empty');
      if (text.text.length > MAX_TEXT) throw badRequest('message is too long');
      return send(t, { text: text.text, ...(text.entities.length ? { entities: text.entities } : {}) }, p);
    },

    sendPhoto: async (p) => {
      const t = target(p);
      const caption = captionFields(p);
      const record = await resolveFile(p.file('photo'), 'photo');
      return send(t, { photo: world.files.photoSizes(record), ...caption }, p);
    },

    sendDocument: async (p) => {
      const t = target(p);
      const caption = captionFields(p);
      const record = await resolveFile(p.file('document'), 'document');
      const document = {
        file_id: record.fileId,
        file_unique_id: record.fileUniqueId,
        file_size: record.data.length,
        mime_type: record.mimeType,
        ...(record.fileName ? { file_name: record.fileName } : {}),
      };
      return send(t, { document, ...caption } as Partial<Message>, p);
    },

    sendChatAction: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      const action = p.string('action');
      if (!action || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      world.feed.push({
        type: 'chat_action',
        chatId: chat.chat.id,
        action,
        threadId: p.int('message_thread_id'),
      });
      return true;
    },

    editMessageText: (p) => {
      const { chat, message } = messageToEdit(p);
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      const raw = p.string('text');
      if (raw === undefined || raw === '') throw badRequest('message text is empty');
      const text = formatted(raw, p, 'parse_mode', 'entities');
      if (!text.text) throw badRequest('message text is empty');
      if (text.text.length > MAX_TEXT) throw badRequest('message is too long');
      const markup = editedMarkup(chat, p);
      const m = message as Message & Record<string, unknown>;
      if (text.text === m.text && same(text.entities, m.entities ?? []) && same(markup, m.reply_markup)) {
        throw notModified();
      }
      m.text = text.text;
      if (text.entities.length) m.entities = text.entities;
      else delete m.entities;
      if (markup) m.reply_markup = markup as unknown as InlineKeyboardMarkup;
      else delete m.reply_markup;
      world.markEdited(chat, message);
      return message;
    },

    editMessageCaption: (p) => {
      const { chat, message } = messageToEdit(p);
      const m = message as Message & Record<string, unknown>;
      if (!m.photo && !m.document) throw badRequest('there is no caption in the message to edit');
      const caption = captionFields(p);
      const markup = editedMarkup(chat, p);
      if (
        same(caption.caption, m.caption) &&
        same(caption.caption_entities ?? [], m.caption_entities ?? []) &&
        same(markup, m.reply_markup)
      ) {
        throw notModified();
      }
      delete m.caption;
      delete m.caption_entities;
      Object.assign(m, caption);
      if (markup) m.reply_markup = markup as unknown as InlineKeyboardMarkup;
      else delete m.reply_markup;
      world.markEdited(chat, message);
      return message;
    },

    editMessageReplyMarkup: (p) => {
      const { chat, message } = messageToEdit(p);
      const markup = editedMarkup(chat, p);
      const m = message as Message & { reply_markup?: InlineKeyboardMarkup };
      if (same(markup, m.reply_markup)) throw notModified();
      if (markup) m.reply_markup = markup as unknown as InlineKeyboardMarkup;
      else delete m.reply_markup;
      world.markEdited(chat, message);
      return message;
    },

    deleteMessage: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      const messageId = p.int('message_id');
      if (messageId === undefined) throw badRequest('message identifier is not specified');
      const message = world.findMessage(chat, messageId);
      if (!message) throw badRequest('message to delete not found');
      const own = world.isByBot(chat, message.message_id);
      if (!own && chat.chat.type !== 'private' && chat.botStatus !== 'administrator') {
        throw badRequest("message can't be deleted");
      }
      world.deleteMessage(chat, messageId);
      return true;
    },

    setMessageReaction: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      const messageId = p.int('message_id');
      if (messageId === undefined) throw badRequest('message identifier is not specified');
      if (!world.findMessage(chat, messageId)) throw badRequest('message to react not found');
      const reaction = p.json<ReactionType[]>('reaction', "can't parse reaction types JSON object") ?? [];
      if (!Array.isArray(reaction)) throw badRequest("can't parse reaction types JSON object");
      // Bots are not Premium: one reaction at most, and no paid ones.
      if (reaction.length > 1) throw badRequest('REACTIONS_TOO_MANY');
      for (const r of reaction) {
        const ok =
          (r?.type === 'emoji' && typeof r.emoji === 'string' && r.emoji.length > 0) ||
          (r?.type === 'custom_emoji' && typeof r.custom_emoji_id === 'string');
        if (!ok) throw badRequest('REACTION_INVALID');
      }
      world.setReaction(botUser, chat, messageId, reaction);
      return true;
    },

    forwardMessage: (p) => {
      const t = target(p);
      const from = world.resolveChatForBot(p.chatId('from_chat_id'));
      const messageId = p.int('message_id');
      const source = messageId === undefined ? undefined : world.findMessage(from, messageId);
      if (!source) throw badRequest('message to forward not found');
      const origin =
        from.chat.type === 'channel'
          ? { type: 'channel', chat: from.chat, message_id: source.message_id, date: source.date }
          : source.sender_chat
            ? { type: 'chat', sender_chat: source.sender_chat, date: source.date }
            : { type: 'user', sender_user: source.from, date: source.date };
      return world.appendMessage(
        t.chat,
        { ...senderFields(t.chat), ...contentCopy(source), forward_origin: origin } as Partial<Message>,
        { threadId: t.threadId, byBot: true },
      );
    },

    copyMessage: (p) => {
      const t = target(p);
      const from = world.resolveChatForBot(p.chatId('from_chat_id'));
      const messageId = p.int('message_id');
      const source = messageId === undefined ? undefined : world.findMessage(from, messageId);
      if (!source) throw badRequest('message to copy not found');
      const content = contentCopy(source) as Record<string, unknown>;
      if (p.has('caption') && (content.photo || content.document)) {
        delete content.caption;
        delete content.caption_entities;
        Object.assign(content, captionFields(p));
      }
      const copy = send(t, content as Partial<Message>, p);
      return { message_id: copy.message_id };
    },

    answerCallbackQuery: (p) => {
      const id = p.string('callback_query_id');
      if (!id) throw badRequest('query_id is empty');
      const text = p.string('text');
      if (text && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
      world.answerCallback(id, {
        ...(text ? { text } : {}),
        ...(p.bool('show_alert') ? { show_alert: true } : {}),
        ...(p.string('url') ? { url: p.string('url') } : {}),
        ...(p.int('cache_time') !== undefined ? { cache_time: p.int('cache_time') } : {}),
      });
      return true;
    },

    setMyCommands: (p) => {
      const commands = p.json<BotCommand[]>('commands', "can't parse commands JSON object");
      if (!Array.isArray(commands)) throw badRequest('commands is empty');
      if (commands.length > 100) throw badRequest('too many commands specified');
      for (const c of commands) {
        if (!c || typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) {
          throw badRequest('BOT_COMMAND_INVALID');
        }
        if (typeof c.description !== 'string' || !c.description.trim() || c.description.length > 256) {
          throw badRequest('command description must be non-empty');
        }
      }
      world.commands.set(
        commandsKey(p),
        commands.map((c) => ({ command: c.command, description: c.description })),
      );
      return true;
    },

    getMyCommands: (p) => world.commands.get(commandsKey(p)) ?? [],

    deleteMyCommands: (p) => {
      world.commands.delete(commandsKey(p));
      return true;
    },

    setMyName: () => true,
    setMyDescription: () => true,
    setMyShortDescription: () => true,

    getChat: (p) => {
      const chat = findChatForInfo(world, p.chatId());
      const c = chat.chat as unknown as Record<string, unknown>;
      return {
        ...c,
        accent_color_id: Math.abs(chat.chat.id) % 7,
        max_reaction_count: 11,
        accepted_gift_types: {
          unlimited_gifts: false,
          limited_gifts: false,
          unique_gifts: false,
          premium_subscription: false,
          gifts_from_channels: false,
        },
        ...(chat.description ? { description: chat.description } : {}),
        ...(chat.linkedChatId !== undefined ? { linked_chat_id: chat.linkedChatId } : {}),
        ...(chat.chat.type !== 'private' && chat.chat.type !== 'channel'
          ? {
              permissions: {
                can_send_messages: true,
                can_send_audios: true,
                can_send_documents: true,
                can_send_photos: true,
                can_send_videos: true,
                can_send_video_notes: true,
                can_send_voice_notes: true,
                can_send_polls: true,
                can_send_other_messages: true,
                can_add_web_page_previews: true,
                can_change_info: false,
                can_invite_users: true,
                can_pin_messages: false,
                can_manage_topics: false,
              },
            }
          : {}),
      };
    },

    getChatMember: (p) => {
      const chat = findChatForInfo(world, p.chatId());
      const userId = p.int('user_id');
      if (userId === undefined) throw badRequest('user_id is empty');
      if (userId === bot.id)
        return world.memberObject(bot, chat.chat.type === 'private' ? 'member' : chat.botStatus);
      const user = world.users.get(userId);
      if (!user) throw badRequest('user not found');
      if (chat.chat.type === 'private') {
        if (chat.chat.id !== userId) throw badRequest('user not found');
        return world.memberObject(user.user, 'member');
      }
      return world.memberObject(user.user, world.memberStatus(chat, userId));
    },

    getChatAdministrators: (p) => {
      const chat = findChatForInfo(world, p.chatId());
      if (chat.chat.type === 'private') throw badRequest('there are no administrators in the private chat');
      const admins = [...chat.members.entries()]
        .filter(([, s]) => s === 'creator' || s === 'administrator')
        .map(([id, s]) => world.memberObject(world.userState(id).user, s));
      if (chat.botStatus === 'administrator') admins.push(world.memberObject(bot, 'administrator'));
      return admins;
    },

    getChatMemberCount: (p) => {
      const chat = findChatForInfo(world, p.chatId());
      if (chat.chat.type === 'private') return 2;
      const people = [...chat.members.values()].filter((s) => s !== 'left' && s !== 'kicked').length;
      return people + (chat.botStatus === 'left' || chat.botStatus === 'kicked' ? 0 : 1);
    },

    leaveChat: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      if (chat.chat.type === 'private')
        throw badRequest("chat member status can't be changed in private chats");
      chat.botStatus = 'left';
      world.feed.push({ type: 'chat', chatId: chat.chat.id });
      return true;
    },

    createForumTopic: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      if (!(chat.chat as { is_forum?: boolean }).is_forum) throw badRequest('the chat is not a forum');
      if (chat.botStatus !== 'administrator') throw badRequest('not enough rights to create a topic');
      const name = p.string('name') ?? '';
      if (!name) throw badRequest('TOPIC_TITLE_EMPTY');
      const iconColor = p.int('icon_color');
      if (iconColor !== undefined && !TOPIC_ICON_COLORS.has(iconColor))
        throw badRequest('TOPIC_ICON_COLOR_INVALID');
      const topic = world.createTopic(chat, name, botUser, iconColor);
      const emoji = p.string('icon_custom_emoji_id');
      return emoji ? { ...topic, icon_custom_emoji_id: emoji } : topic;
    },

    editForumTopic: (p) => {
      const { chat, topic } = topicOf(p);
      const name = p.string('name');
      const emoji = p.string('icon_custom_emoji_id');
      if ((name === undefined || name === topic.topic.name) && emoji === undefined)
        throw badRequest('TOPIC_NOT_MODIFIED');
      if (name !== undefined) {
        if (!name || name.length > 128) throw badRequest('TOPIC_TITLE_EMPTY');
        topic.topic.name = name;
      }
      if (emoji !== undefined) topic.topic.icon_custom_emoji_id = emoji || undefined;
      world.appendMessage(
        chat,
        { from: botUser, forum_topic_edited: { ...(name ? { name } : {}) } } as Partial<Message>,
        { threadId: topic.topic.message_thread_id, skipThreadCheck: false },
      );
      return true;
    },

    closeForumTopic: (p) => {
      const { chat, topic } = topicOf(p);
      if (topic.closed) throw badRequest('TOPIC_NOT_MODIFIED');
      world.appendMessage(chat, { from: botUser, forum_topic_closed: {} } as Partial<Message>, {
        threadId: topic.topic.message_thread_id,
      });
      topic.closed = true;
      return true;
    },

    reopenForumTopic: (p) => {
      const { chat, topic } = topicOf(p);
      if (!topic.closed) throw badRequest('TOPIC_NOT_MODIFIED');
      topic.closed = false;
      world.appendMessage(chat, { from: botUser, forum_topic_reopened: {} } as Partial<Message>, {
        threadId: topic.topic.message_thread_id,
      });
      return true;
    },

    deleteForumTopic: (p) => {
      const { chat, topic } = topicOf(p);
      const threadId = topic.topic.message_thread_id;
      for (const [id, stored] of chat.messages) {
        if ((stored.message as { message_thread_id?: number }).message_thread_id === threadId) {
          world.deleteMessage(chat, id);
        }
      }
      chat.topics.delete(threadId);
      return true;
    },

    pinChatMessage: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      const messageId = p.int('message_id');
      const message = messageId === undefined ? undefined : world.findMessage(chat, messageId);
      if (!message) throw badRequest('message to pin not found');
      (chat.chat as unknown as Record<string, unknown>).pinned_message = message;
      return true;
    },

    unpinChatMessage: (p) => {
      const chat = world.resolveChatForBot(p.chatId());
      delete (chat.chat as unknown as Record<string, unknown>).pinned_message;
      return true;
    },

    setChatMenuButton: (p) => {
      const chatId = p.int('chat_id');
      const button = p.json<MenuButton>('menu_button', "can't parse menu button JSON object") ?? {
        type: 'default',
      };
      if (!['default', 'commands', 'web_app'].includes(button.type))
        throw badRequest('unsupported menu button type');
      if (button.type === 'web_app') {
        const b = button as { text?: string; web_app?: { url?: string } };
        if (!b.text) throw badRequest('BUTTON_TEXT_INVALID');
        if (!b.web_app?.url || !/^https?:\/\//i.test(b.web_app.url)) throw badRequest('BUTTON_URL_INVALID');
      }
      if (chatId !== undefined) world.resolveChatForBot(chatId);
      world.menuButtons.set(chatId ?? 0, button);
      return true;
    },

    getChatMenuButton: (p) => {
      const chatId = p.int('chat_id');
      const button =
        (chatId !== undefined ? world.menuButtons.get(chatId) : undefined) ?? world.menuButtons.get(0);
      return !button || button.type === 'default' ? { type: 'commands' } : button;
    },

    getFile: (p) => {
      const fileId = p.string('file_id');
      if (!fileId) throw badRequest('file_id not specified');
      const record = world.files.get(fileId);
      if (!record) throw badRequest('invalid file_id');
      if (record.data.length > 20 * 1024 * 1024) throw badRequest('file is too big');
      return {
        file_id: record.fileId,
        file_unique_id: record.fileUniqueId,
        file_size: record.data.length,
        file_path: record.filePath,
      };
    },

    answerWebAppQuery: (p) => {
      const id = p.string('web_app_query_id');
      const query = id ? world.webAppQueries.get(id) : undefined;
      if (!query || query.answered) throw badRequest('QUERY_ID_INVALID');
      const result = p.json<Record<string, any>>('result', "can't parse inline query result JSON object");
      if (!result || typeof result.type !== 'string' || typeof result.id !== 'string') {
        throw badRequest('RESULT_ID_INVALID');
      }
      const content = result.input_message_content as
        | { message_text?: string; parse_mode?: string }
        | undefined;
      const raw = content?.message_text ?? result.title;
      if (typeof raw !== 'string' || !raw) throw badRequest('MESSAGE_EMPTY');
      const text = formatText(raw, content?.parse_mode, undefined);
      query.answered = true;
      const chat = world.privateChat(query.userId);
      const markup = result.reply_markup
        ? checkInlineKeyboard(result.reply_markup.inline_keyboard, chat)
        : undefined;
      world.appendMessage(chat, {
        from: world.userState(query.userId).user,
        via_bot: botUser,
        text: text.text,
        ...(text.entities.length ? { entities: text.entities } : {}),
        ...(markup ? { reply_markup: markup } : {}),
      } as Partial<Message>);
      return { inline_message_id: `${id}:${result.id}` };
    },
  };

  return Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name.toLowerCase(), fn]));
}

/** getChat and friends work for users who blocked the bot too (but not for strangers). */
function findChatForInfo(world: SandboxWorld, chatId: number | string | undefined): ChatState {
  try {
    return world.resolveChatForBot(chatId);
  } catch (error) {
    if (error instanceof BotApiError && error.errorCode === 403 && typeof chatId === 'number') {
      const chat = world.chats.get(chatId);
      if (chat) return chat;
    }
    if (error instanceof BotApiError && error.errorCode === 403) throw badRequest('chat not found');
    throw error;
  }
}

async function download(url: string): Promise<FileUpload> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(String(response.status));
    const data = Buffer.from(await response.arrayBuffer());
    const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || undefined;
    return { data, fileName, mimeType: response.headers.get('content-type') ?? undefined };
  } catch {
    throw badRequest('failed to get HTTP URL content');
  }
}
