import type { BotCommand, Chat, ForumTopic, Message, ReactionCount, User, UserFromGetMe } from 'grammy/types';
import type { CallbackAnswer, SandboxEvent } from './change-feed.js';
import { SANDBOX_TOKEN_HEADER } from './control-access.js';
import type { FaultRule, FloodLimits } from './faults.js';
import type { UnreadCounts } from './read-marks.js';
import type { CreateChatInput } from './world.js';

/** A control API call failed; `code` is the sandbox's error code (e.g. SANDBOX_TIMEOUT). */
export class SandboxClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SandboxClientError';
  }
}

export interface SandboxUserInfo extends User {
  blocked: boolean;
  started_bot: boolean;
}

export interface SandboxChatInfo {
  chat: Chat;
  botStatus: string;
  members: Array<{ userId: number; status: string }>;
  topics: Array<ForumTopic & { is_closed: boolean }>;
  linkedChatId?: number;
  replyKeyboard: { keyboard: Array<Array<{ text: string }>> } | null;
  menuButton: { type: string; text?: string; web_app?: { url: string } };
}

export interface FileInput {
  data: Uint8Array | Buffer;
  fileName?: string;
  mimeType?: string;
}

export interface SendOptions {
  /** Chat to write in (default: the user's private chat with the bot). */
  chatId?: number;
  threadId?: number;
  replyToMessageId?: number;
}

const DEFAULT_WAIT_MS = 20_000;

export interface WaitOptions {
  /** How long to wait for the bot (default 20 s: generous, so a busy machine does not fail a test). */
  timeoutMs?: number;
  /** Only a message whose text (or caption) matches. */
  match?: RegExp | string;
  threadId?: number;
  /** Wait for events after this feed position (default: the client's cursor for the chat). */
  afterSeq?: number;
}

export interface PressResult {
  callbackQueryId: string;
  data: string;
  /** What the bot answered with answerCallbackQuery (null if it did not answer in time). */
  answer: CallbackAnswer | null;
}

export interface WebAppLaunch {
  url: string;
  /** The URL with `#tgWebAppData=...` as Telegram opens it. */
  launchUrl: string;
  initData: string;
  queryId: string | null;
}

function toBase64(data: Uint8Array | Buffer): string {
  return Buffer.from(data).toString('base64');
}

function matchParams(match: RegExp | string | undefined): Record<string, string> {
  if (match === undefined) return {};
  if (typeof match === 'string') return { match: match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') };
  return { match: match.source, flags: match.flags.replace('g', '') };
}

/**
 * Typed client of the sandbox control API: act as people, inspect chats, wait for the bot.
 * `baseUrl` is where the emulator is served (`emulator.url`, or `<app url>/sandbox`).
 */
export class SandboxClient {
  private readonly baseUrl: string;
  /** Per chat and kind: feed position after which the next bot message (or edit) counts. */
  private readonly cursors = new Map<string, number>();
  private readonly users = new Map<string, Promise<SandboxUserInfo>>();

  private readonly controlToken: string | undefined;

  /** `options.token`: the sandbox control token, when the sandbox is guarded by one. */
  constructor(baseUrl: string, options: { token?: string } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.controlToken = options.token;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
  ) {
    const url = new URL(`${this.baseUrl}/control${path}`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.controlToken ? { [SANDBOX_TOKEN_HEADER]: this.controlToken } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as {
      ok: boolean;
      result?: T;
      error?: { code: string; message: string };
    };
    if (!payload.ok) {
      throw new SandboxClientError(
        payload.error?.code ?? 'SANDBOX_ERROR',
        payload.error?.message ?? 'error',
        response.status,
      );
    }
    return payload.result as T;
  }

  // ---- people and chats -----------------------------------------------------------------

  bot(): Promise<{
    bot: UserFromGetMe;
    commands: unknown[];
    menuButton: unknown;
    webhook: unknown;
    lastSeq: number;
  }> {
    return this.request('GET', '/bot');
  }

  createUser(input: {
    id?: number;
    first_name: string;
    last_name?: string;
    username?: string;
    language_code?: string;
  }): Promise<SandboxUserInfo> {
    return this.request('POST', '/users', input);
  }

  getUser(userId: number): Promise<SandboxUserInfo> {
    return this.request('GET', `/users/${userId}`);
  }

  listUsers(): Promise<SandboxUserInfo[]> {
    return this.request('GET', '/users');
  }

  createChat(input: CreateChatInput): Promise<SandboxChatInfo> {
    return this.request('POST', '/chats', input);
  }

  getChat(chatId: number): Promise<SandboxChatInfo> {
    return this.request('GET', `/chats/${chatId}`);
  }

  listChats(): Promise<SandboxChatInfo[]> {
    return this.request('GET', '/chats');
  }

  /** The "/" menu the user sees in a chat (default: their private chat with the bot). */
  commandMenu(userId: number, chatId?: number): Promise<BotCommand[]> {
    return this.request('GET', '/commands', undefined, { userId, chatId });
  }

  /** What the user has not read yet in each chat: `{ chatId: { total, threads } }`. */
  async unread(userId: number): Promise<Record<number, UnreadCounts>> {
    const chats = await this.request<Array<{ chat: { id: number }; unread: UnreadCounts }>>(
      'GET',
      '/chats',
      undefined,
      { userId },
    );
    return Object.fromEntries(chats.map((c) => [c.chat.id, c.unread]));
  }

  /** The user has seen everything in the chat (or one of its topics; 0 = the chat or General). */
  markRead(userId: number, chatId: number, threadId?: number): Promise<unknown> {
    return this.request('POST', `/chats/${chatId}/read`, { userId, threadId });
  }

  addMember(chatId: number, userId: number, status?: 'member' | 'administrator'): Promise<SandboxChatInfo> {
    return this.request('POST', `/chats/${chatId}/members`, { userId, status });
  }

  async createTopic(chatId: number, userId: number, name: string): Promise<ForumTopic> {
    const before = (await this.bot()).lastSeq;
    const topic = await this.request<ForumTopic>('POST', `/chats/${chatId}/topics`, { userId, name });
    this.setCursor(chatId, before);
    return topic;
  }

  transcript(chatId: number, threadId?: number): Promise<Message[]> {
    return this.request('GET', `/chats/${chatId}/messages`, undefined, { threadId });
  }

  setBlocked(userId: number, blocked: boolean): Promise<SandboxUserInfo> {
    return this.request('POST', `/users/${userId}/block`, { blocked });
  }

  // ---- what people do ---------------------------------------------------------------------

  async sendMessage(userId: number, text: string, options: SendOptions = {}): Promise<Message> {
    const { message, seq } = await this.request<{ message: Message; seq: number }>('POST', '/messages', {
      userId,
      text,
      ...options,
    });
    this.setCursor(message.chat.id, seq);
    return message;
  }

  async sendFile(
    userId: number,
    kind: 'photo' | 'document',
    file: FileInput,
    options: SendOptions & { caption?: string } = {},
  ): Promise<Message> {
    const { caption, ...rest } = options;
    const { message, seq } = await this.request<{ message: Message; seq: number }>('POST', '/messages', {
      userId,
      [kind]: { base64: toBase64(file.data), fileName: file.fileName, mimeType: file.mimeType },
      caption,
      ...rest,
    });
    this.setCursor(message.chat.id, seq);
    return message;
  }

  async postInChannel(chatId: number, text: string, authorId?: number): Promise<Message> {
    const { message, seq } = await this.request<{ message: Message; seq: number }>('POST', '/channel-posts', {
      chatId,
      text,
      userId: authorId,
    });
    this.setCursor(chatId, seq);
    return message;
  }

  /** Presses an inline button (by text or callback data) under a message. */
  async pressButton(
    userId: number,
    chatId: number,
    messageId: number,
    button: { text?: string; data?: string },
    waitForAnswerMs = 5000,
  ): Promise<PressResult> {
    const result = await this.request<PressResult & { seq: number }>('POST', '/callbacks', {
      userId,
      chatId,
      messageId,
      ...button,
      waitForAnswerMs,
    });
    this.setCursor(chatId, result.seq);
    return { callbackQueryId: result.callbackQueryId, data: result.data, answer: result.answer };
  }

  /**
   * A person reacts to a message with emoji (their whole list after the change; `[]` takes
   * the reaction back). Answers the message's reaction counts.
   */
  async react(userId: number, chatId: number, messageId: number, emoji: string[]): Promise<ReactionCount[]> {
    const { reactions } = await this.request<{ reactions: ReactionCount[] }>('POST', '/reactions', {
      userId,
      chatId,
      messageId,
      emoji,
    });
    return reactions;
  }

  /** The reactions on a message, counted per type (people's and the bot's). */
  async reactions(chatId: number, messageId: number): Promise<ReactionCount[]> {
    const { reactions } = await this.request<{ reactions: ReactionCount[] }>(
      'GET',
      `/chats/${chatId}/messages/${messageId}/reactions`,
    );
    return reactions;
  }

  openWebApp(input: {
    userId: number;
    chatId?: number;
    messageId?: number;
    buttonText?: string;
    menu?: boolean;
    url?: string;
    startParam?: string;
  }): Promise<WebAppLaunch> {
    return this.request('POST', '/web-app', input);
  }

  // ---- waiting for the bot ------------------------------------------------------------------

  /**
   * The bot's next message in `chatId`: the first one after the last thing this client did
   * in that chat (or after the last reply it returned). Rejects with SANDBOX_TIMEOUT listing
   * the chat's last messages.
   */
  async waitForBotMessage(chatId: number, options: WaitOptions = {}): Promise<Message> {
    return this.waitFor(chatId, 'message', options);
  }

  /** The next edit the bot makes to one of its messages in `chatId`. */
  async waitForBotEdit(chatId: number, options: WaitOptions & { messageId?: number } = {}): Promise<Message> {
    return this.waitFor(chatId, 'edit', options);
  }

  async events(after = 0, timeoutMs = 0): Promise<{ events: SandboxEvent[]; lastSeq: number }> {
    return this.request('GET', '/events', undefined, { after, timeoutMs });
  }

  // ---- faults -------------------------------------------------------------------------------

  addFaults(rules: FaultRule[], flood?: FloodLimits): Promise<unknown> {
    return this.request('POST', '/faults', { rules, flood });
  }

  clearFaults(): Promise<unknown> {
    return this.request('DELETE', '/faults');
  }

  // ---- people by name -----------------------------------------------------------------------

  /**
   * A person by a short key (`client.user('alice')`), created on first use with that name.
   * Every call with the same key is the same sandbox user.
   */
  user(
    key: string,
    profile: { first_name?: string; last_name?: string; language_code?: string } = {},
  ): SandboxUser {
    return new SandboxUser(this, key, () => {
      let pending = this.users.get(key);
      if (!pending) {
        const username = /^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(key)
          ? key
          : `${key.replace(/[^A-Za-z0-9_]/g, '')}_user`;
        pending = this.createUser({
          first_name: profile.first_name ?? key.charAt(0).toUpperCase() + key.slice(1),
          last_name: profile.last_name,
          language_code: profile.language_code,
          username: /^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(username) ? username : undefined,
        });
        pending.catch(() => this.users.delete(key));
        this.users.set(key, pending);
      }
      return pending;
    });
  }

  /** @internal */
  setCursor(chatId: number, seq: number) {
    this.cursors.set(`${chatId}:message`, seq);
    this.cursors.set(`${chatId}:edit`, seq);
  }

  private async waitFor(
    chatId: number,
    kind: 'message' | 'edit',
    options: WaitOptions & { messageId?: number },
  ): Promise<Message> {
    const afterSeq = options.afterSeq ?? this.cursors.get(`${chatId}:${kind}`) ?? 0;
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const result = await this.request<{ seq: number; message: Message }>('GET', '/wait', undefined, {
      chatId,
      afterSeq,
      kind,
      timeoutMs,
      threadId: options.threadId,
      messageId: options.messageId,
      ...matchParams(options.match),
    });
    if (options.afterSeq === undefined) this.cursors.set(`${chatId}:${kind}`, result.seq);
    return result.message;
  }
}

/**
 * One sandbox person with test-friendly verbs. By default they act in their private chat
 * with the bot; `user.in(chatId, threadId?)` acts in a group or forum topic instead.
 */
export class SandboxUser {
  private lastChatId: number | undefined;

  constructor(
    private readonly client: SandboxClient,
    readonly key: string,
    private readonly resolveInfo: () => Promise<SandboxUserInfo>,
    private readonly scope: { chatId?: number; threadId?: number } = {},
  ) {}

  info(): Promise<SandboxUserInfo> {
    return this.resolveInfo();
  }

  async id(): Promise<number> {
    return (await this.resolveInfo()).id;
  }

  /** The same person acting in another chat (a group, a supergroup topic, a channel). */
  in(chatId: number, threadId?: number): SandboxUser {
    return new SandboxUser(this.client, this.key, this.resolveInfo, { chatId, threadId });
  }

  async send(text: string, options: Omit<SendOptions, 'chatId'> = {}): Promise<Message> {
    const id = await this.id();
    const message = await this.client.sendMessage(id, text, {
      chatId: this.scope.chatId,
      threadId: this.scope.threadId,
      ...options,
    });
    this.lastChatId = message.chat.id;
    return message;
  }

  async sendPhoto(file: FileInput, caption?: string): Promise<Message> {
    return this.sendFile('photo', file, caption);
  }

  async sendDocument(file: FileInput, caption?: string): Promise<Message> {
    return this.sendFile('document', file, caption);
  }

  /** The bot's next message here; `match` waits for one that matches (others are skipped). */
  async expectReply(match?: RegExp | string, options: Omit<WaitOptions, 'match'> = {}): Promise<Message> {
    const chatId = await this.chatId();
    return this.client.waitForBotMessage(chatId, { threadId: this.scope.threadId, ...options, match });
  }

  async expectEdit(
    match?: RegExp | string,
    options: Omit<WaitOptions, 'match'> & { messageId?: number } = {},
  ) {
    const chatId = await this.chatId();
    return this.client.waitForBotEdit(chatId, { ...options, match });
  }

  /**
   * Presses the button with this text (or `{ data }`) on the newest bot message here that has
   * it. A reply-keyboard button is "pressed" by sending its text, as in Telegram.
   */
  async press(
    button: string | { data: string },
    options: { waitForAnswerMs?: number } = {},
  ): Promise<PressResult | Message> {
    const chatId = await this.chatId();
    const messages = await this.client.transcript(chatId, this.scope.threadId);
    const wanted = typeof button === 'string' ? { text: button } : { data: button.data };
    for (let i = messages.length - 1; i >= 0; i--) {
      const rows = (
        messages[i] as { reply_markup?: { inline_keyboard?: Array<Array<Record<string, unknown>>> } }
      ).reply_markup?.inline_keyboard;
      const found = rows
        ?.flat()
        .some((b) => (wanted.text !== undefined ? b.text === wanted.text : b.callback_data === wanted.data));
      if (found) {
        return this.client.pressButton(
          await this.id(),
          chatId,
          messages[i].message_id,
          wanted,
          options.waitForAnswerMs,
        );
      }
    }
    if (typeof button === 'string') {
      const chat = await this.client.getChat(chatId);
      if (chat.replyKeyboard?.keyboard.flat().some((b) => b.text === button)) return this.send(button);
    }
    throw new Error(`No button ${JSON.stringify(button)} in chat ${chatId}`);
  }

  async block(): Promise<void> {
    await this.client.setBlocked(await this.id(), true);
  }

  async unblock(): Promise<void> {
    await this.client.setBlocked(await this.id(), false);
  }

  /** Opens the bot's web app (a web_app button on `messageId`, or the menu button). */
  async openWebApp(options: { messageId?: number; buttonText?: string; startParam?: string } = {}) {
    const userId = await this.id();
    return this.client.openWebApp({
      userId,
      chatId: await this.chatId(),
      ...(options.messageId === undefined ? { menu: true } : { messageId: options.messageId }),
      buttonText: options.buttonText,
      startParam: options.startParam,
    });
  }

  async transcript(): Promise<Message[]> {
    return this.client.transcript(await this.chatId(), this.scope.threadId);
  }

  private async sendFile(kind: 'photo' | 'document', file: FileInput, caption?: string): Promise<Message> {
    const message = await this.client.sendFile(await this.id(), kind, file, {
      chatId: this.scope.chatId,
      threadId: this.scope.threadId,
      caption,
    });
    this.lastChatId = message.chat.id;
    return message;
  }

  private async chatId(): Promise<number> {
    return this.scope.chatId ?? this.lastChatId ?? (await this.id());
  }
}
