/**
 * The port to a Telegram user account (MTProto). Two adapters implement it: gramjs
 * (`gramjs-gateway.ts`, real Telegram) and the sandbox (`sandbox-gateway.ts`, the emulator
 * world). Every method throws `TelegramFailure` (telegram-errors.ts) for Telegram's refusals.
 *
 * There is deliberately no method to write to someone first: `sendComment` replies under a
 * channel post, and nothing else sends.
 */
export interface ChannelPostRead {
  channelId: number;
  messageId: number;
  text: string;
  media: { kind: string } | null;
  date: Date;
}

export interface DiscussionRef {
  /** The linked discussion group (Bot API style id, -100…). */
  chatId: number;
  /** The post's copy in the group, the message a comment replies to. */
  messageId: number;
}

export interface IncomingPersonalMessage {
  kind: 'reply' | 'direct';
  chatId: number;
  messageId: number;
  fromUserId: number;
  fromName: string;
  text: string;
  /** For replies: the id of our message they answer. */
  replyToMessageId?: number;
  date: Date;
}

export interface AccountIdentity {
  userId: number;
  name: string;
  username?: string;
}

export interface ChannelFacts {
  /** Bot API style id (-100…). */
  chatId: number;
  title: string;
  username: string | null;
  /** The linked discussion group; null: comments are closed. */
  linkedChatId: number | null;
  /** The account is an administrator (or creator) of the channel. */
  isAdmin: boolean;
}

/** A signed-in account: what the plugin does with it. */
export interface UserAccountSession {
  /** The session string to store (encrypted): the full credential. */
  exportSession(): string;
  getMe(): Promise<AccountIdentity>;
  /** The channel's title and discussion group; `TelegramFailure('POST_NOT_FOUND')` for an unknown one. */
  inspectChannel(channel: number | string): Promise<ChannelFacts>;
  /** Posts newer than `afterMessageId`, oldest first (the polling fallback uses this too). */
  readNewPosts(channel: number | string, afterMessageId: number, limit: number): Promise<ChannelPostRead[]>;
  /** Where comments to a post go; `TelegramFailure('COMMENTS_CLOSED')` when there is no discussion. */
  getDiscussion(channel: number | string, messageId: number): Promise<DiscussionRef>;
  /**
   * Replies to the post's copy in the discussion group. `randomId` comes from the comment's
   * idempotency key: Telegram drops a second message with the same random id, so a retry
   * after a crash cannot post twice.
   */
  sendComment(target: DiscussionRef, text: string, randomId: bigint): Promise<{ messageId: number }>;
  /** Replies to our message in the discussion group and the reaction count on it. */
  readEngagement(
    chatId: number,
    messageId: number,
  ): Promise<{ replies: IncomingPersonalMessage[]; reactions: number }>;
  /** Private messages people wrote to the account (they wrote first; we never do). */
  readDirectMessages(afterDate: Date): Promise<IncomingPersonalMessage[]>;
  /**
   * Pushes new channel posts as they arrive (MTProto updates), where the adapter can; returns
   * a function that stops it. Polling with `readNewPosts` stays on as the fallback.
   */
  watchPosts?(onPost: (post: ChannelPostRead) => void): () => void;
  /** Ends the session at Telegram too. */
  logOut(): Promise<void>;
  disconnect(): Promise<void>;
}

export type SignInResult =
  | { status: 'signed_in'; session: UserAccountSession }
  | { status: 'password_needed' };

export interface UserAccountGateway {
  /** Which library or world it talks to, for the README and the health check. */
  readonly name: string;
  /**
   * Asks Telegram to send a login code. `loginState` is opaque: what step 2 needs (the code
   * hash, and for MTProto the half-made session: the code is tied to its auth key). The
   * caller stores it encrypted.
   */
  requestCode(phone: string): Promise<{ loginState: string }>;
  /** The code (and the 2FA password when the account has one). */
  signIn(input: {
    phone: string;
    loginState: string;
    code: string;
    password?: string;
  }): Promise<SignInResult>;
  /** Restores a stored session (at start, or before an action). */
  restore(session: string): Promise<UserAccountSession>;
}
