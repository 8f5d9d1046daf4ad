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
}
