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
  | { status: 'request_chat' }
  | { status: 'no_free_group' };
export interface EducationGroupPort {
  offer(input: EducationOfferInput): Promise<EducationOfferResult>;
}
