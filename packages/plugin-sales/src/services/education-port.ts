/**
 * The move to an education group, as the sales conversation asks for it. The education part
 * (pool groups, invite links, groups the client creates) implements this port; sales calls it
 * on the consent trigger or on entering a stage marked `education`. When no implementation is
 * plugged in, the client is told that a manager will follow up.
 */
export interface EducationOfferInput {
  conversationId: string;
  userId: number;
  chatId: number;
  scriptId: string;
  scriptVersion: number;
  locale: string;
}

export type EducationOfferResult =
  | { status: 'invited'; inviteLink: string; groupChatId: number }
  /** The client was asked to create a group with the request_chat button. */
  | { status: 'request_chat' }
  | { status: 'no_free_group' };

export interface EducationGroupPort {
  offer(input: EducationOfferInput): Promise<EducationOfferResult>;
}
