/**
 * Which plugin owns a private chat's conversation, as plugin handlers see it (`ctx.chatOwner`).
 * Claims are the calling plugin's own; they last until another plugin takes the chat (its
 * command, menu button or deep link, or its own claim) or the owner releases it.
 */
export interface ChatOwner {
  /** The owning plugin: the one that claimed the chat, else the default owner. */
  current(): string | undefined;
  /** Makes the calling plugin the owner of this chat. */
  claim(): void;
  /** Gives the chat back to the default owner, if the calling plugin owns it. */
  release(): void;
  /**
   * True while core hands this chat to the calling plugin because the user chose it in the
   * /start menu (the update is that button's callback query, already answered). Open your
   * conversation then (a greeting, a first question); let it through (`next()`) and core says
   * "You are now talking to ..." with your intro instead.
   */
  handedOver(): boolean;
}
