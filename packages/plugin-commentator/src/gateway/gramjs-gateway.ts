import { Api, errors, helpers, sessions, password as srp, TelegramClient } from 'telegram';
import { TelegramFailure } from './telegram-errors.js';
import type {
  AccountIdentity,
  ChannelFacts,
  ChannelPostRead,
  DiscussionRef,
  IncomingPersonalMessage,
  SignInResult,
  UserAccountGateway,
  UserAccountSession,
} from './user-account-gateway.js';

/**
 * The part of gramjs's `TelegramClient` the adapter uses. Everything goes through `invoke`
 * with raw `Api` requests, so the adapter stays thin and works unchanged with `teleproto`
 * (the maintained drop-in fork of gramjs), and contract tests stub `invoke` only.
 */
export interface GramjsClientLike {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  invoke<R extends Api.AnyRequest>(request: R): Promise<R['__response']>;
  session: { save(): unknown };
  addEventHandler?(handler: (update: unknown) => void): void;
  removeEventHandler?(handler: (update: unknown) => void, event?: unknown): void;
}

export interface GramjsGatewayOptions {
  apiId: number;
  apiHash: string;
  /** Builds a connected-or-not client for a session string ('' for a new login). Tests pass a stub. */
  createClient?: (session: string) => GramjsClientLike;
}

/** Bot API style id of a channel or supergroup: -100 followed by the MTProto id. */
export function botApiChannelId(channelId: { toString(): string }): number {
  return Number(`-100${channelId.toString()}`);
}

function mtprotoChannelId(chatId: number): string {
  const text = String(chatId);
  return text.startsWith('-100') ? text.slice(4) : String(Math.abs(chatId));
}

const CODE_INVALID = new Set(['PHONE_CODE_INVALID', 'PHONE_CODE_EMPTY']);
const REVOKED = new Set([
  'AUTH_KEY_UNREGISTERED',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
  'USER_DEACTIVATED',
  'USER_DEACTIVATED_BAN',
  'AUTH_KEY_DUPLICATED',
]);
const CHANNEL_GONE = new Set([
  'CHANNEL_INVALID',
  'CHANNEL_PRIVATE',
  'USERNAME_NOT_OCCUPIED',
  'USERNAME_INVALID',
]);

/** gramjs's errors (its own classes) as the plugin's normalised failures. */
export function mapGramjsError(error: unknown): unknown {
  if (error instanceof errors.FloodWaitError) {
    return new TelegramFailure('FLOOD_WAIT', `FLOOD_WAIT_${error.seconds}`, error.seconds, { cause: error });
  }
  if (error instanceof errors.SlowModeWaitError) {
    return new TelegramFailure('SLOWMODE_WAIT', `SLOWMODE_WAIT_${error.seconds}`, error.seconds, {
      cause: error,
    });
  }
  if (!(error instanceof errors.RPCError)) return error;
  const m = error.errorMessage;
  const fail = (code: ConstructorParameters<typeof TelegramFailure>[0]) =>
    new TelegramFailure(code, m, undefined, { cause: error });
  if (m === 'PEER_FLOOD') return fail('PEER_FLOOD');
  if (m === 'CHAT_GUEST_SEND_FORBIDDEN' || m === 'CHAT_WRITE_FORBIDDEN' || m === 'CHAT_SEND_PLAIN_FORBIDDEN')
    return fail('CHAT_GUEST_SEND_FORBIDDEN');
  if (m === 'MSG_ID_INVALID' || m === 'TOPIC_CLOSED') return fail('COMMENTS_CLOSED');
  if (CODE_INVALID.has(m)) return fail('PHONE_CODE_INVALID');
  if (m === 'PHONE_CODE_EXPIRED') return fail('PHONE_CODE_EXPIRED');
  if (m === 'PASSWORD_HASH_INVALID') return fail('PASSWORD_INVALID');
  if (m === 'PHONE_NUMBER_INVALID' || m === 'PHONE_NUMBER_BANNED') return fail('PHONE_NUMBER_INVALID');
  if (REVOKED.has(m)) return fail('SESSION_REVOKED');
  if (CHANNEL_GONE.has(m)) return fail('POST_NOT_FOUND');
  return fail('TELEGRAM_ERROR');
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapGramjsError(error);
  }
}

function nameOf(user: Api.TypeUser | undefined): string {
  if (!(user instanceof Api.User)) return '';
  return [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username || '';
}

function mediaOf(message: Api.Message): { kind: string } | null {
  const media = message.media;
  if (!media) return null;
  if (media instanceof Api.MessageMediaPhoto) return { kind: 'photo' };
  if (media instanceof Api.MessageMediaDocument) return { kind: 'document' };
  return { kind: media.className.replace(/^MessageMedia/, '').toLowerCase() };
}

function postOf(message: Api.Message): ChannelPostRead | null {
  if (!(message.peerId instanceof Api.PeerChannel)) return null;
  return {
    channelId: botApiChannelId(message.peerId.channelId),
    messageId: message.id,
    text: message.message ?? '',
    media: mediaOf(message),
    date: new Date(message.date * 1000),
  };
}

/** One signed-in account over gramjs. Peers it learned (with their access hashes) are cached. */
class GramjsSession implements UserAccountSession {
  private readonly peers = new Map<string, Api.InputPeerChannel>();
  private handler: ((update: unknown) => void) | null = null;

  constructor(private readonly client: GramjsClientLike) {}

  exportSession(): string {
    return String(this.client.session.save());
  }

  async getMe(): Promise<AccountIdentity> {
    const [me] = await call(() =>
      this.client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] })),
    );
    if (!(me instanceof Api.User))
      throw new TelegramFailure('SESSION_REVOKED', 'no user behind this session');
    return { userId: Number(me.id.toString()), name: nameOf(me), username: me.username ?? undefined };
  }

  private remember(chats: Api.TypeChat[]): void {
    for (const chat of chats) {
      if (chat instanceof Api.Channel && chat.accessHash !== undefined) {
        this.peers.set(
          chat.id.toString(),
          new Api.InputPeerChannel({ channelId: chat.id, accessHash: chat.accessHash }),
        );
        if (chat.username)
          this.peers.set(`@${chat.username.toLowerCase()}`, this.peers.get(chat.id.toString())!);
      }
    }
  }

  /** A channel by @username (resolved) or by id (from the cache, else from the account's dialogs). */
  private async peer(channel: number | string): Promise<Api.InputPeerChannel> {
    const key =
      typeof channel === 'string' && !/^-?\d+$/.test(channel)
        ? `@${channel.replace(/^@/, '').toLowerCase()}`
        : mtprotoChannelId(Number(channel));
    const known = this.peers.get(key);
    if (known) return known;
    if (key.startsWith('@')) {
      const resolved = await call(() =>
        this.client.invoke(new Api.contacts.ResolveUsername({ username: key.slice(1) })),
      );
      this.remember(resolved.chats);
    } else {
      const dialogs = await call(() =>
        this.client.invoke(
          new Api.messages.GetDialogs({
            offsetDate: 0,
            offsetId: 0,
            offsetPeer: new Api.InputPeerEmpty(),
            limit: 200,
            hash: helpers.returnBigInt(0),
          }),
        ),
      );
      if ('chats' in dialogs) this.remember(dialogs.chats);
    }
    const found = this.peers.get(key);
    if (!found) throw new TelegramFailure('POST_NOT_FOUND', `channel ${channel} is unknown to this account`);
    return found;
  }

  async inspectChannel(channel: number | string): Promise<ChannelFacts> {
    const input = await this.peer(channel);
    const full = await call(() =>
      this.client.invoke(
        new Api.channels.GetFullChannel({
          channel: new Api.InputChannel({ channelId: input.channelId, accessHash: input.accessHash }),
        }),
      ),
    );
    this.remember(full.chats);
    const chat = full.chats.find((c) => c instanceof Api.Channel && c.id.equals(input.channelId)) as
      | Api.Channel
      | undefined;
    const fullChat = full.fullChat as Api.ChannelFull;
    return {
      chatId: botApiChannelId(input.channelId),
      title: chat?.title ?? '',
      username: chat?.username ?? null,
      linkedChatId: fullChat.linkedChatId ? botApiChannelId(fullChat.linkedChatId) : null,
      isAdmin: Boolean(chat?.creator || chat?.adminRights),
    };
  }

  /** The polling fallback: messages.getHistory with min_id, what `iterMessages({ minId })` sends. */
  async readNewPosts(
    channel: number | string,
    afterMessageId: number,
    limit: number,
  ): Promise<ChannelPostRead[]> {
    const peer = await this.peer(channel);
    const history = await call(() =>
      this.client.invoke(
        new Api.messages.GetHistory({
          peer,
          offsetId: 0,
          offsetDate: 0,
          addOffset: 0,
          limit,
          maxId: 0,
          minId: afterMessageId,
          hash: helpers.returnBigInt(0),
        }),
      ),
    );
    if (!('messages' in history)) return [];
    return history.messages
      .filter((m): m is Api.Message => m instanceof Api.Message && m.id > afterMessageId)
      .map(postOf)
      .filter((p): p is ChannelPostRead => p !== null)
      .sort((a, b) => a.messageId - b.messageId);
  }

  async getDiscussion(channel: number | string, messageId: number): Promise<DiscussionRef> {
    const peer = await this.peer(channel);
    const discussion = await call(() =>
      this.client.invoke(new Api.messages.GetDiscussionMessage({ peer, msgId: messageId })),
    );
    this.remember(discussion.chats);
    const copy = discussion.messages.find((m) => m instanceof Api.Message) as Api.Message | undefined;
    if (!copy || !(copy.peerId instanceof Api.PeerChannel)) {
      throw new TelegramFailure('COMMENTS_CLOSED', 'the post has no discussion thread');
    }
    return { chatId: botApiChannelId(copy.peerId.channelId), messageId: copy.id };
  }

  async sendComment(target: DiscussionRef, text: string, randomId: bigint): Promise<{ messageId: number }> {
    const peer = await this.peer(target.chatId);
    const wanted = helpers.returnBigInt(randomId.toString());
    const result = await call(() =>
      this.client.invoke(
        new Api.messages.SendMessage({
          peer,
          message: text,
          randomId: wanted,
          noWebpage: true,
          replyTo: new Api.InputReplyToMessage({ replyToMsgId: target.messageId }),
        }),
      ),
    );
    if (result instanceof Api.UpdateShortSentMessage) return { messageId: result.id };
    const updates = 'updates' in result ? result.updates : [];
    const byRandomId = updates.find(
      (u) => u instanceof Api.UpdateMessageID && u.randomId?.equals(wanted) === true,
    );
    if (byRandomId instanceof Api.UpdateMessageID) return { messageId: byRandomId.id };
    const sent = updates.find((u) => u instanceof Api.UpdateNewChannelMessage) as
      | Api.UpdateNewChannelMessage
      | undefined;
    if (sent) return { messageId: sent.message.id };
    throw new TelegramFailure('TELEGRAM_ERROR', 'Telegram did not say which message was sent');
  }

  async readEngagement(
    chatId: number,
    messageId: number,
  ): Promise<{ replies: IncomingPersonalMessage[]; reactions: number }> {
    const peer = await this.peer(chatId);
    const replies = await call(() =>
      this.client.invoke(
        new Api.messages.GetReplies({
          peer,
          msgId: messageId,
          offsetId: 0,
          offsetDate: 0,
          addOffset: 0,
          limit: 100,
          maxId: 0,
          minId: 0,
          hash: helpers.returnBigInt(0),
        }),
      ),
    );
    const users = 'users' in replies ? replies.users : [];
    const list = 'messages' in replies ? replies.messages : [];
    const out: IncomingPersonalMessage[] = [];
    for (const m of list) {
      if (!(m instanceof Api.Message) || m.out || !(m.fromId instanceof Api.PeerUser)) continue;
      const fromId = m.fromId.userId;
      out.push({
        kind: 'reply',
        chatId,
        messageId: m.id,
        fromUserId: Number(fromId.toString()),
        fromName: nameOf(users.find((u) => u.id.equals(fromId))),
        text: m.message ?? '',
        replyToMessageId: messageId,
        date: new Date(m.date * 1000),
      });
    }
    const ours = await call(() =>
      this.client.invoke(
        new Api.channels.GetMessages({
          channel: new Api.InputChannel({ channelId: peer.channelId, accessHash: peer.accessHash }),
          id: [new Api.InputMessageID({ id: messageId })],
        }),
      ),
    );
    const message = 'messages' in ours ? ours.messages.find((m) => m instanceof Api.Message) : undefined;
    const reactions =
      message instanceof Api.Message
        ? (message.reactions?.results ?? []).reduce((sum, r) => sum + r.count, 0)
        : 0;
    return { replies: out, reactions };
  }

  /** Private chats where the person wrote the last message after `afterDate` (they wrote first). */
  async readDirectMessages(afterDate: Date): Promise<IncomingPersonalMessage[]> {
    const dialogs = await call(() =>
      this.client.invoke(
        new Api.messages.GetDialogs({
          offsetDate: 0,
          offsetId: 0,
          offsetPeer: new Api.InputPeerEmpty(),
          limit: 100,
          hash: helpers.returnBigInt(0),
        }),
      ),
    );
    if (!('messages' in dialogs)) return [];
    const since = afterDate.getTime() / 1000;
    return dialogs.messages
      .filter(
        (m): m is Api.Message =>
          m instanceof Api.Message && !m.out && m.peerId instanceof Api.PeerUser && m.date > since,
      )
      .map((m) => {
        const userId = (m.peerId as Api.PeerUser).userId;
        return {
          kind: 'direct' as const,
          chatId: Number(userId.toString()),
          messageId: m.id,
          fromUserId: Number(userId.toString()),
          fromName: nameOf(dialogs.users.find((u) => u.id.equals(userId))),
          text: m.message ?? '',
          date: new Date(m.date * 1000),
        };
      });
  }

  watchPosts(onPost: (post: ChannelPostRead) => void): () => void {
    if (!this.client.addEventHandler) return () => undefined;
    const handler = (update: unknown) => {
      if (update instanceof Api.UpdateNewChannelMessage && update.message instanceof Api.Message) {
        const post = postOf(update.message);
        if (post && update.message.post) onPost(post);
      }
    };
    this.handler = handler;
    this.client.addEventHandler(handler);
    return () => {
      this.client.removeEventHandler?.(handler);
      this.handler = null;
    };
  }

  async logOut(): Promise<void> {
    await call(() => this.client.invoke(new Api.auth.LogOut()));
  }

  async disconnect(): Promise<void> {
    if (this.handler) this.client.removeEventHandler?.(this.handler);
    await this.client.disconnect();
  }
}

/**
 * The user-account port over gramjs (`telegram` on npm). Login follows MTProto: auth.sendCode,
 * then auth.signIn on the same auth key (the half-made session travels in `loginState`),
 * then, when Telegram answers SESSION_PASSWORD_NEEDED, the 2FA password as an SRP check.
 */
export function createGramjsGateway(options: GramjsGatewayOptions): UserAccountGateway {
  const createClient =
    options.createClient ??
    ((session: string) =>
      new TelegramClient(new sessions.StringSession(session), options.apiId, options.apiHash, {
        connectionRetries: 3,
      }) as unknown as GramjsClientLike);
  return {
    name: 'gramjs',
    async requestCode(phone) {
      const client = createClient('');
      await client.connect();
      try {
        const sent = await call(() =>
          client.invoke(
            new Api.auth.SendCode({
              phoneNumber: phone,
              apiId: options.apiId,
              apiHash: options.apiHash,
              settings: new Api.CodeSettings({}),
            }),
          ),
        );
        if (!(sent instanceof Api.auth.SentCode)) {
          throw new TelegramFailure('TELEGRAM_ERROR', 'Telegram did not send a login code');
        }
        return {
          loginState: JSON.stringify({ hash: sent.phoneCodeHash, session: String(client.session.save()) }),
        };
      } finally {
        await client.disconnect();
      }
    },
    async signIn(input): Promise<SignInResult> {
      const state = JSON.parse(input.loginState) as { hash: string; session: string };
      const client = createClient(state.session);
      await client.connect();
      try {
        try {
          await client.invoke(
            new Api.auth.SignIn({
              phoneNumber: input.phone,
              phoneCodeHash: state.hash,
              phoneCode: input.code,
            }),
          );
        } catch (error) {
          if (!(error instanceof errors.RPCError) || error.errorMessage !== 'SESSION_PASSWORD_NEEDED') {
            throw mapGramjsError(error);
          }
          if (input.password === undefined) {
            await client.disconnect();
            return { status: 'password_needed' };
          }
          const params = await call(() => client.invoke(new Api.account.GetPassword()));
          const check = await srp.computeCheck(params, input.password);
          await call(() => client.invoke(new Api.auth.CheckPassword({ password: check })));
        }
        return { status: 'signed_in', session: new GramjsSession(client) };
      } catch (error) {
        await client.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async restore(session) {
      const client = createClient(session);
      await call(() => client.connect());
      return new GramjsSession(client);
    },
  };
}
