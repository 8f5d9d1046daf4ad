import type { ChatInviteLink, Message, UserFromGetMe } from 'grammy/types';
import type { SandboxClient } from './client.js';

export interface SandboxJoinResult {
  status: 'joined' | 'requested' | 'already_member';
  chatId: number;
}

/**
 * Test-friendly verbs for groups over the control API: join by invite link, press a
 * `request_chat` button, register further bots and add them to groups.
 * `new SandboxGroups(app.sandbox)`.
 */
export class SandboxGroups {
  constructor(private readonly client: SandboxClient) {}

  /** The person opens an invite link (joins, or files a join request when the link asks for one). */
  async joinByLink(userId: number, inviteLink: string): Promise<SandboxJoinResult> {
    const result = await this.client.request<SandboxJoinResult & { seq: number }>(
      'POST',
      '/invite-links/join',
      {
        userId,
        inviteLink,
      },
    );
    this.client.setCursor(result.chatId, result.seq);
    return { status: result.status, chatId: result.chatId };
  }

  /** The chat's invite links (with how many joined through each) and pending join requests. */
  inviteLinks(chatId: number): Promise<{
    links: Array<ChatInviteLink & { joined: number }>;
    joinRequests: Array<{ chatId: number; userId: number; inviteLink: string }>;
  }> {
    return this.client.request('GET', `/chats/${chatId}/invite-links`);
  }

  /**
   * The person presses the bot's request_chat keyboard button in their private chat: shares
   * `existingChatId`, or creates a group titled `title`. Resolves with the shared chat's id.
   */
  async requestChat(input: {
    userId: number;
    buttonText?: string;
    existingChatId?: number;
    title?: string;
  }): Promise<{ chatId: number; message: Message }> {
    const result = await this.client.request<{ chatId: number; message: Message; seq: number }>(
      'POST',
      '/request-chat',
      input,
    );
    this.client.setCursor(input.userId, result.seq);
    return { chatId: result.chatId, message: result.message };
  }

  /** Registers another bot the emulator serves (its own token; it only sends). */
  addBot(input: { token?: string; first_name: string; username: string }): Promise<{
    token: string;
    bot: UserFromGetMe;
  }> {
    return this.client.request('POST', '/bots', input);
  }

  /** A person (or nobody: the operator) adds that bot to a group. */
  addBotToChat(
    chatId: number,
    botId: number,
    options: { byUserId?: number; status?: 'member' | 'administrator' } = {},
  ) {
    return this.client.request<{ added: boolean }>('POST', `/chats/${chatId}/bots`, { botId, ...options });
  }
}
