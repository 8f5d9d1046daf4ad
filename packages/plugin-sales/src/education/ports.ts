/** What the education module needs from Telegram; the grammY adapter is in telegram-adapter.ts. */

export interface GroupInfo {
  chatId: number;
  title: string;
}

export interface EducationTelegram {
  /**
   * The group's title, after checking it exists, is a group and the bot is an admin that may
   * invite people. Throws EducationGroupUnusableError otherwise.
   */
  inspectGroup(chatId: number): Promise<GroupInfo>;
  /** An invite link one person can use once (member_limit 1). Throws EducationGroupUnusableError. */
  createSingleUseInvite(chatId: number, name: string): Promise<string>;
  revokeInvite(chatId: number, link: string): Promise<void>;
  sendText(
    chatId: number,
    text: string,
    options?: { replyTo?: number; removeKeyboard?: boolean },
  ): Promise<number>;
  /**
   * A message with a reply-keyboard button that asks the person to create a group of their
   * own (request_chat with chat_is_created) with the bot as an admin that may invite.
   */
  sendCreateGroupButton(chatId: number, text: string, buttonText: string, requestId: number): Promise<number>;
}

export interface AssistantIdentity {
  id: number;
  username: string;
  firstName: string;
}

/** The operator's assistant bots: they only send. */
export interface AssistantBotsPort {
  /** The assistants that answered getMe (empty when none are configured). */
  identities(): Promise<AssistantIdentity[]>;
  /** Sends as assistant `index`; throws when that bot cannot write there (not in the group). */
  send(index: number, chatId: number, text: string): Promise<number>;
}
