import { TelegramFailure, type TelegramFailureCode } from '../../src/gateway/telegram-errors.js';
import type {
  ChannelPostRead,
  DiscussionRef,
  IncomingPersonalMessage,
  UserAccountGateway,
  UserAccountSession,
} from '../../src/gateway/user-account-gateway.js';

/**
 * Telegram as seen through MTProto, in memory: the test double at the network boundary for
 * the user-account route. One instance can outlive an app (the restart test), like Telegram.
 * `random_id` de-duplication is modelled as Telegram does it: a second send with the same
 * random id returns the first message.
 */
export class FakeTelegram implements UserAccountGateway {
  readonly name = 'fake';
  /** phone -> 2FA password */
  passwords = new Map<string, string>();
  readonly codes = new Map<string, string>();
  readonly channels = new Map<number, { posts: ChannelPostRead[]; discussion: number | null }>();
  readonly sent: Array<{
    chatId: number;
    replyTo: number;
    text: string;
    randomId: bigint;
    messageId: number;
  }> = [];
  readonly revoked = new Set<string>();
  /** Failures the next sendComment calls throw, in order. */
  readonly sendFailures: TelegramFailure[] = [];
  readonly replies = new Map<string, IncomingPersonalMessage[]>();
  /** Private messages people sent to the account first. */
  readonly directs: IncomingPersonalMessage[] = [];
  /** The next send reaches Telegram, then the connection drops before the answer arrives. */
  loseNextAnswer = false;
  private nextMessage = 1000;
  private nextHash = 1;

  addChannel(id: number, discussion: number | null): void {
    this.channels.set(id, { posts: [], discussion });
  }

  post(channelId: number, text: string): ChannelPostRead {
    const channel = this.channels.get(channelId)!;
    const post = {
      channelId,
      messageId: channel.posts.length + 1,
      text,
      media: null,
      date: new Date('2030-01-07T08:00:00Z'),
    };
    channel.posts.push(post);
    return post;
  }

  failNextSend(code: TelegramFailureCode, seconds?: number): void {
    this.sendFailures.push(new TelegramFailure(code, code, seconds));
  }

  async requestCode(_phone: string) {
    const hash = `hash-${this.nextHash++}`;
    this.codes.set(hash, '24680');
    return { loginState: hash };
  }

  async signIn(input: { phone: string; loginState: string; code: string; password?: string }) {
    const code = this.codes.get(input.loginState);
    if (!code) throw new TelegramFailure('PHONE_CODE_EXPIRED', 'PHONE_CODE_EXPIRED');
    if (code !== input.code) throw new TelegramFailure('PHONE_CODE_INVALID', 'PHONE_CODE_INVALID');
    const password = this.passwords.get(input.phone);
    if (password !== undefined) {
      if (input.password === undefined) return { status: 'password_needed' as const };
      if (input.password !== password) throw new TelegramFailure('PASSWORD_INVALID', 'PASSWORD_HASH_INVALID');
    }
    return {
      status: 'signed_in' as const,
      session: this.session(`1BQANOTEzMTU0${input.phone.slice(1)}SECRETSESSION`),
    };
  }

  async restore(session: string) {
    if (this.revoked.has(session)) throw new TelegramFailure('SESSION_REVOKED', 'AUTH_KEY_UNREGISTERED');
    return this.session(session);
  }

  private session(sessionString: string): UserAccountSession {
    const tg = this;
    return {
      exportSession: () => sessionString,
      async getMe() {
        if (tg.revoked.has(sessionString))
          throw new TelegramFailure('SESSION_REVOKED', 'AUTH_KEY_UNREGISTERED');
        return { userId: 777_001, name: 'Acme Team' };
      },
      async inspectChannel(channel) {
        const c = tg.channels.get(Number(channel));
        if (!c) throw new TelegramFailure('POST_NOT_FOUND', 'CHANNEL_INVALID');
        return {
          chatId: Number(channel),
          title: `Channel ${channel}`,
          username: null,
          linkedChatId: c.discussion,
          isAdmin: false,
        };
      },
      async readNewPosts(channel, after, limit) {
        const c = tg.channels.get(Number(channel));
        if (!c) throw new TelegramFailure('POST_NOT_FOUND', 'CHANNEL_INVALID');
        if (after === 0 && limit === 1) return c.posts.slice(-1);
        return c.posts.filter((p) => p.messageId > after).slice(0, limit);
      },
      async getDiscussion(channel, messageId): Promise<DiscussionRef> {
        const c = tg.channels.get(Number(channel));
        if (!c?.discussion) throw new TelegramFailure('COMMENTS_CLOSED', 'MSG_ID_INVALID');
        return { chatId: c.discussion, messageId: 500 + messageId };
      },
      async sendComment(target, text, randomId) {
        const failure = tg.sendFailures.shift();
        if (failure) throw failure;
        const dup = tg.sent.find((s) => s.randomId === randomId);
        if (dup) return { messageId: dup.messageId };
        const messageId = tg.nextMessage++;
        tg.sent.push({ chatId: target.chatId, replyTo: target.messageId, text, randomId, messageId });
        if (tg.loseNextAnswer) {
          tg.loseNextAnswer = false;
          throw new Error('connection lost');
        }
        return { messageId };
      },
      async readEngagement(chatId, messageId) {
        return { replies: tg.replies.get(`${chatId}:${messageId}`) ?? [], reactions: 2 };
      },
      async readDirectMessages(after) {
        return tg.directs.filter((m) => m.date > after);
      },
      async logOut() {
        tg.revoked.add(sessionString);
      },
      async disconnect() {},
    };
  }
}
