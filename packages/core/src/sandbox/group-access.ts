import type { ChatInviteLink, Message, Update, User } from 'grammy/types';
import { badRequest } from './api-error.js';
import type { BotApiMethod } from './bot-api-methods.js';
import { SandboxControlError } from './control-error.js';
import { randomId } from './ids.js';
import type { ChatState, MemberStatus, SandboxWorld } from './world.js';

/** An invite link as the emulator keeps it (Telegram's ChatInviteLink plus its use count). */
export interface InviteLinkState {
  chatId: number;
  link: ChatInviteLink;
  /** People who joined through it (member_limit counts these). */
  joined: number;
}

export interface JoinRequestState {
  chatId: number;
  userId: number;
  inviteLink: string;
}

export type JoinResult =
  | { status: 'joined'; chatId: number }
  | { status: 'requested'; chatId: number }
  | { status: 'already_member'; chatId: number };

export interface RequestChatInput {
  userId: number;
  /** The private chat with the keyboard (default: the user's chat with the bot). */
  chatId?: number;
  /** The button's text; default the first request_chat button of the keyboard. */
  buttonText?: string;
  /** Share this existing group instead of creating one. */
  existingChatId?: number;
  /** Title of the group the user creates (when `existingChatId` is not given). */
  title?: string;
}

interface RequestChatButton {
  text: string;
  request_chat: {
    request_id: number;
    chat_is_channel?: boolean;
    chat_is_created?: boolean;
    bot_is_member?: boolean;
    bot_administrator_rights?: Record<string, unknown>;
    request_title?: boolean;
  };
}

const MAX_MEMBER_LIMIT = 99_999;
const registries = new WeakMap<SandboxWorld, GroupAccess>();

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * How people get into groups in the emulator: invite links (member limits, expiry, revoke),
 * join requests the bot approves or declines, and the `request_chat` keyboard button that
 * shares (or creates) a group with the bot in it. The world keeps chats and members; this
 * keeps the links and pending requests and produces the updates Telegram would send.
 */
export class GroupAccess {
  readonly links = new Map<string, InviteLinkState>();
  readonly joinRequests: JoinRequestState[] = [];

  constructor(private readonly world: SandboxWorld) {}

  /** The registry of `world` (one per world). */
  static of(world: SandboxWorld): GroupAccess {
    let registry = registries.get(world);
    if (!registry) {
      registry = new GroupAccess(world);
      registries.set(world, registry);
    }
    return registry;
  }

  createLink(
    chat: ChatState,
    creator: User,
    input: { name?: string; expireDate?: number; memberLimit?: number; createsJoinRequest?: boolean },
  ): ChatInviteLink {
    const link: ChatInviteLink = {
      invite_link: `https://t.me/+${randomId(12)}`,
      creator,
      creates_join_request: input.createsJoinRequest ?? false,
      is_primary: false,
      is_revoked: false,
      ...(input.name ? { name: input.name } : {}),
      ...(input.expireDate ? { expire_date: input.expireDate } : {}),
      ...(input.memberLimit ? { member_limit: input.memberLimit } : {}),
    };
    this.links.set(link.invite_link, { chatId: chat.chat.id, link, joined: 0 });
    return link;
  }

  revoke(chat: ChatState, inviteLink: string): ChatInviteLink {
    const state = this.links.get(inviteLink);
    if (!state || state.chatId !== chat.chat.id) throw badRequest('INVITE_HASH_EXPIRED');
    state.link.is_revoked = true;
    return state.link;
  }

  /** A person opens an invite link: joins, or files a join request when the link asks for approval. */
  join(userId: number, inviteLink: string): JoinResult {
    const { user } = this.world.userState(userId);
    const state = this.links.get(inviteLink);
    if (!state) throw new SandboxControlError('SANDBOX_INVITE_INVALID', 'This invite link is not valid', 404);
    const chat = this.world.chatState(state.chatId);
    const { link } = state;
    if (link.is_revoked || (link.expire_date !== undefined && link.expire_date <= now())) {
      throw new SandboxControlError(
        'SANDBOX_INVITE_EXPIRED',
        'This invite link has expired or was revoked',
        410,
      );
    }
    const status = this.world.memberStatus(chat, userId);
    if (status === 'kicked')
      throw new SandboxControlError('SANDBOX_BANNED', `User ${userId} is banned from ${chat.chat.id}`, 403);
    if (status !== 'left') return { status: 'already_member', chatId: chat.chat.id };
    if (link.member_limit !== undefined && state.joined >= link.member_limit) {
      throw new SandboxControlError(
        'SANDBOX_INVITE_LIMIT',
        `This invite link reached its member limit (${link.member_limit})`,
        410,
      );
    }
    if (link.creates_join_request) {
      if (!this.joinRequests.some((r) => r.chatId === chat.chat.id && r.userId === userId)) {
        this.joinRequests.push({ chatId: chat.chat.id, userId, inviteLink });
        this.world.updates.push({
          chat_join_request: {
            chat: chat.chat,
            from: user,
            user_chat_id: userId,
            date: now(),
            invite_link: link,
          },
        } as Omit<Update, 'update_id'>);
        this.world.feed.push({ type: 'chat', chatId: chat.chat.id });
      }
      return { status: 'requested', chatId: chat.chat.id };
    }
    state.joined++;
    this.addMember(chat, user, { inviteLink: link });
    return { status: 'joined', chatId: chat.chat.id };
  }

  /** approveChatJoinRequest / declineChatJoinRequest. */
  resolveRequest(chat: ChatState, userId: number, approve: boolean) {
    const index = this.joinRequests.findIndex((r) => r.chatId === chat.chat.id && r.userId === userId);
    if (index < 0) throw badRequest('HIDE_REQUESTER_MISSING');
    const [request] = this.joinRequests.splice(index, 1);
    if (!approve) return;
    const status = this.world.memberStatus(chat, userId);
    if (status !== 'left' && status !== 'kicked') throw badRequest('USER_ALREADY_PARTICIPANT');
    const link = this.links.get(request!.inviteLink);
    if (link) link.joined++;
    this.addMember(chat, this.world.userState(userId).user, {
      inviteLink: link?.link,
      viaJoinRequest: true,
    });
  }

  /**
   * A person joins: the member list changes, the bot gets `chat_member` (when it is an admin,
   * as in Telegram) and everyone sees the `new_chat_members` service message.
   */
  addMember(
    chat: ChatState,
    user: User,
    options: { inviteLink?: ChatInviteLink; viaJoinRequest?: boolean; status?: MemberStatus } = {},
  ) {
    const old = this.world.memberStatus(chat, user.id);
    const status = options.status ?? 'member';
    chat.members.set(user.id, status);
    if (chat.botStatus === 'administrator') {
      this.world.updates.push({
        chat_member: {
          chat: chat.chat,
          from: user,
          date: now(),
          old_chat_member: this.world.memberObject(user, old),
          new_chat_member: this.world.memberObject(user, status),
          ...(options.inviteLink ? { invite_link: options.inviteLink } : {}),
          ...(options.viaJoinRequest ? { via_join_request: true } : {}),
        },
      } as Omit<Update, 'update_id'>);
    }
    if (chat.chat.type !== 'channel') {
      this.world.appendMessage(
        chat,
        {
          from: user,
          new_chat_members: [user],
          new_chat_member: user,
          new_chat_participant: user,
        } as Partial<Message>,
        { notifyBot: true },
      );
    } else {
      this.world.feed.push({ type: 'chat', chatId: chat.chat.id });
    }
  }

  /**
   * A person presses a `request_chat` button of the bot's reply keyboard: they share a group
   * they own, or create one (the Telegram app offers "Create a new group"); the bot is put in
   * it as the button asks, and the bot gets a `chat_shared` message in the private chat.
   */
  requestChat(input: RequestChatInput): { message: Message; chat: ChatState } {
    const userState = this.world.userState(input.userId);
    const privateChat = this.world.privateChat(input.userId);
    if (input.chatId !== undefined && input.chatId !== input.userId) {
      throw new SandboxControlError('SANDBOX_BAD_CHAT', 'request_chat buttons live in private chats');
    }
    const keyboard = privateChat.replyKeyboard as
      | { keyboard?: Array<Array<Record<string, unknown>>> }
      | undefined;
    const button = keyboard?.keyboard
      ?.flat()
      .find(
        (b) =>
          b.request_chat !== undefined && (input.buttonText === undefined || b.text === input.buttonText),
      ) as RequestChatButton | undefined;
    if (!button) {
      throw new SandboxControlError(
        'SANDBOX_BUTTON_NOT_FOUND',
        'The keyboard the bot shows here has no matching request_chat button',
        404,
      );
    }
    const request = button.request_chat;
    if (request.chat_is_channel) {
      throw new SandboxControlError('SANDBOX_BAD_CHAT', 'Sharing channels is not emulated; ask for a group');
    }
    const botStatus: MemberStatus = request.bot_administrator_rights ? 'administrator' : 'member';
    let chat: ChatState;
    if (input.existingChatId !== undefined) {
      chat = this.world.chatState(input.existingChatId);
      const status = this.world.memberStatus(chat, input.userId);
      if (chat.chat.type !== 'group' && chat.chat.type !== 'supergroup') {
        throw new SandboxControlError('SANDBOX_BAD_CHAT', `${chat.chat.id} is not a group`);
      }
      if (request.chat_is_created && status !== 'creator') {
        throw new SandboxControlError('SANDBOX_NOT_ADMIN', 'The button asks for a group the user owns', 403);
      }
      if (status === 'left' || status === 'kicked') {
        throw new SandboxControlError(
          'SANDBOX_NOT_A_MEMBER',
          `User ${input.userId} is not in that group`,
          403,
        );
      }
      if (request.bot_is_member || request.bot_administrator_rights) {
        const before = chat.botStatus;
        if (before !== botStatus && before !== 'administrator') {
          chat.botStatus = botStatus;
          this.world.updates.push({
            my_chat_member: {
              chat: chat.chat,
              from: userState.user,
              date: now(),
              old_chat_member: this.world.memberObject(this.world.bot, before),
              new_chat_member: this.world.memberObject(this.world.bot, botStatus),
            },
          } as Omit<Update, 'update_id'>);
        }
      }
    } else {
      chat = this.world.createChat({
        type: 'supergroup',
        title: input.title ?? `${userState.user.first_name}'s group`,
        memberIds: [input.userId],
        ownerId: input.userId,
        botStatus: botStatus === 'administrator' ? 'administrator' : 'member',
      });
    }
    const shared = {
      request_id: request.request_id,
      chat_id: chat.chat.id,
      ...(request.request_title ? { title: (chat.chat as { title?: string }).title } : {}),
    };
    const message = this.world.appendMessage(
      privateChat,
      { from: userState.user, chat_shared: shared } as Partial<Message>,
      { notifyBot: true },
    );
    return { message, chat };
  }
}

/** Bot API methods of invite links and join requests (merged into the emulator's methods). */
export function createGroupAccessMethods(world: SandboxWorld): Record<string, BotApiMethod> {
  const access = GroupAccess.of(world);

  const adminChat = (chatId: number | string | undefined): ChatState => {
    const chat = world.resolveChatForBot(chatId);
    if (chat.chat.type === 'private') throw badRequest('CHAT_ADMIN_REQUIRED');
    if (chat.botStatus !== 'administrator') throw badRequest('not enough rights to manage chat invite link');
    return chat;
  };

  const methods: Record<string, BotApiMethod> = {
    createChatInviteLink: (p) => {
      const chat = adminChat(p.chatId());
      const name = p.string('name');
      if (name !== undefined && name.length > 32) throw badRequest('invite link name is too long');
      const memberLimit = p.int('member_limit');
      if (memberLimit !== undefined && (memberLimit < 1 || memberLimit > MAX_MEMBER_LIMIT)) {
        throw badRequest('member limit must be between 1 and 99999');
      }
      const createsJoinRequest = p.bool('creates_join_request') ?? false;
      if (createsJoinRequest && memberLimit !== undefined) {
        throw badRequest("member limit can't be specified for links requiring administrator approval");
      }
      const expireDate = p.int('expire_date');
      if (expireDate !== undefined && expireDate <= now()) throw badRequest('EXPIRE_DATE_INVALID');
      return access.createLink(chat, world.botUser, { name, expireDate, memberLimit, createsJoinRequest });
    },

    revokeChatInviteLink: (p) => {
      const chat = adminChat(p.chatId());
      const link = p.string('invite_link');
      if (!link) throw badRequest('invite_link is empty');
      return access.revoke(chat, link);
    },

    exportChatInviteLink: (p) => {
      const chat = adminChat(p.chatId());
      const link = access.createLink(chat, world.botUser, {});
      link.is_primary = true;
      return link.invite_link;
    },

    approveChatJoinRequest: (p) => {
      const chat = adminChat(p.chatId());
      const userId = p.int('user_id');
      if (userId === undefined) throw badRequest('user_id is empty');
      access.resolveRequest(chat, userId, true);
      return true;
    },

    declineChatJoinRequest: (p) => {
      const chat = adminChat(p.chatId());
      const userId = p.int('user_id');
      if (userId === undefined) throw badRequest('user_id is empty');
      access.resolveRequest(chat, userId, false);
      return true;
    },
  };
  return Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name.toLowerCase(), fn]));
}
