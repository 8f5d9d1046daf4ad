import { randomBytes } from 'node:crypto';
import { SandboxClient, SandboxClientError } from '@botloom/core/sandbox';
import type { Message } from 'grammy/types';
import { TelegramFailure } from './telegram-errors.js';
import type {
  ChannelPostRead,
  IncomingPersonalMessage,
  SignInResult,
  UserAccountGateway,
  UserAccountSession,
} from './user-account-gateway.js';

/** The login code the sandbox "sends" (like Telegram's test servers, it is fixed). */
export const SANDBOX_LOGIN_CODE = '12345';

export interface SandboxGatewayOptions {
  /** phone → 2FA password, for accounts that should ask for one. */
  passwords?: Record<string, string>;
}

function text(m: Message): string {
  return m.text ?? m.caption ?? '';
}

function media(m: Message): { kind: string } | null {
  if (m.photo) return { kind: 'photo' };
  if (m.document) return { kind: 'document' };
  return null;
}

/**
 * The user-account port over the sandbox's emulator world (its control API): a signed-in
 * account is a sandbox person, who reads channels, finds a post's automatic forward in the
 * discussion group and replies to it, as a user account does over MTProto. So `npm start`
 * can play the account route without Telegram. The code is always `12345`.
 */
export function createSandboxGateway(
  emulatorUrl: string,
  options: SandboxGatewayOptions = {},
): UserAccountGateway {
  const client = new SandboxClient(emulatorUrl);
  const revoked = new Set<string>();
  const sentByRandomId = new Map<string, number>();

  async function call<T>(
    work: () => Promise<T>,
    notFound: 'POST_NOT_FOUND' | 'COMMENTS_CLOSED' = 'POST_NOT_FOUND',
  ) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SandboxClientError) {
        if (error.code === 'SANDBOX_NOT_A_MEMBER') {
          throw new TelegramFailure('CHAT_GUEST_SEND_FORBIDDEN', error.message, undefined, { cause: error });
        }
        if (error.status === 404)
          throw new TelegramFailure(notFound, error.message, undefined, { cause: error });
        throw new TelegramFailure('TELEGRAM_ERROR', error.message, undefined, { cause: error });
      }
      throw error;
    }
  }

  function session(sessionString: string, userId: number): UserAccountSession {
    const alive = () => {
      if (revoked.has(sessionString)) throw new TelegramFailure('SESSION_REVOKED', 'AUTH_KEY_UNREGISTERED');
    };
    return {
      exportSession: () => sessionString,
      async getMe() {
        alive();
        const user = await call(() => client.getUser(userId));
        return {
          userId,
          name: [user.first_name, user.last_name].filter(Boolean).join(' '),
          username: user.username,
        };
      },
      async inspectChannel(channel) {
        alive();
        const info = await call(() => client.getChat(Number(channel)));
        if (info.chat.type !== 'channel')
          throw new TelegramFailure('POST_NOT_FOUND', `${channel} is not a channel`);
        const status = info.members.find((m) => m.userId === userId)?.status;
        return {
          chatId: info.chat.id,
          title: (info.chat as { title?: string }).title ?? '',
          username: (info.chat as { username?: string }).username ?? null,
          linkedChatId: info.linkedChatId ?? null,
          isAdmin: status === 'administrator' || status === 'creator',
        };
      },
      async readNewPosts(channel, after, limit) {
        alive();
        const messages = await call(() => client.transcript(Number(channel)));
        const posts: ChannelPostRead[] = messages
          .filter((m) => m.message_id > after && (m.text !== undefined || m.photo || m.document))
          .map((m) => ({
            channelId: m.chat.id,
            messageId: m.message_id,
            text: text(m),
            media: media(m),
            date: new Date(m.date * 1000),
          }));
        return after === 0 && limit === 1 ? posts.slice(-1) : posts.slice(0, limit);
      },
      async getDiscussion(channel, messageId) {
        alive();
        const info = await call(() => client.getChat(Number(channel)));
        if (!info.linkedChatId)
          throw new TelegramFailure('COMMENTS_CLOSED', 'the channel has no discussion group');
        const group = await call(() => client.transcript(info.linkedChatId!));
        const copy = group.find(
          (m) =>
            (m as { is_automatic_forward?: boolean }).is_automatic_forward &&
            (m.forward_origin as { message_id?: number } | undefined)?.message_id === messageId,
        );
        if (!copy)
          throw new TelegramFailure('POST_NOT_FOUND', `post ${messageId} has no copy in the discussion`);
        return { chatId: info.linkedChatId, messageId: copy.message_id };
      },
      async sendComment(target, body, randomId) {
        alive();
        const key = `${userId}:${randomId}`;
        const known = sentByRandomId.get(key);
        if (known !== undefined) return { messageId: known };
        const sent = await call(() =>
          client.sendMessage(userId, body, { chatId: target.chatId, replyToMessageId: target.messageId }),
        );
        sentByRandomId.set(key, sent.message_id);
        return { messageId: sent.message_id };
      },
      async readEngagement(chatId, messageId) {
        alive();
        const messages = await call(() => client.transcript(chatId));
        const replies: IncomingPersonalMessage[] = messages
          .filter(
            (m) =>
              m.reply_to_message?.message_id === messageId &&
              m.from &&
              m.from.id !== userId &&
              !m.from.is_bot,
          )
          .map((m) => ({
            kind: 'reply',
            chatId,
            messageId: m.message_id,
            fromUserId: m.from!.id,
            fromName: [m.from!.first_name, m.from!.last_name].filter(Boolean).join(' '),
            text: text(m),
            replyToMessageId: messageId,
            date: new Date(m.date * 1000),
          }));
        const counts = await call(() => client.reactions(chatId, messageId));
        return { replies, reactions: counts.reduce((sum, r) => sum + r.total_count, 0) };
      },
      async readDirectMessages() {
        // Sandbox people can write only to the bot, never to each other.
        return [];
      },
      async logOut() {
        revoked.add(sessionString);
      },
      async disconnect() {},
    };
  }

  return {
    name: 'sandbox',
    async requestCode(phone) {
      return { loginState: JSON.stringify({ phone, nonce: randomBytes(8).toString('hex') }) };
    },
    async signIn(input): Promise<SignInResult> {
      const state = JSON.parse(input.loginState) as { phone: string };
      if (state.phone !== input.phone)
        throw new TelegramFailure('PHONE_CODE_EXPIRED', 'the code was for another phone');
      if (input.code !== SANDBOX_LOGIN_CODE)
        throw new TelegramFailure('PHONE_CODE_INVALID', 'PHONE_CODE_INVALID');
      const password = options.passwords?.[input.phone];
      if (password !== undefined) {
        if (input.password === undefined) return { status: 'password_needed' };
        if (input.password !== password)
          throw new TelegramFailure('PASSWORD_INVALID', 'PASSWORD_HASH_INVALID');
      }
      const username = `acct_${input.phone.replace(/\D/g, '')}`;
      const users = await call(() => client.listUsers());
      const user =
        users.find((u) => u.username === username) ??
        (await call(() => client.createUser({ first_name: `Account ${input.phone.slice(-4)}`, username })));
      const sessionString = `sandbox:${user.id}:${randomBytes(16).toString('hex')}`;
      return { status: 'signed_in', session: session(sessionString, user.id) };
    },
    async restore(sessionString) {
      const m = /^sandbox:(\d+):[0-9a-f]+$/.exec(sessionString);
      if (!m || revoked.has(sessionString))
        throw new TelegramFailure('SESSION_REVOKED', 'AUTH_KEY_UNREGISTERED');
      return session(sessionString, Number(m[1]));
    },
  };
}
