import { BootError } from '../errors/botloom-error.js';
import { deepLinkCovers } from '../plugin/deep-links.js';
import type { ConversationDeclaration } from '../plugin/types.js';
import type { ChatOwner } from './chat-owner.js';

export type { ChatOwner } from './chat-owner.js';

/** A plugin as chat ownership sees it: its conversation declaration and its commands. */
export interface ConversationParticipant {
  id: string;
  conversation?: ConversationDeclaration;
  commands: readonly string[];
}

/** Where the claim is kept: a field of the chat's session (a plain record). */
export type OwnerRecord = Record<string, unknown>;
const OWNER_FIELD = '__chat_owner';

/**
 * The rules of chat ownership for one app: who may own a chat, who owns it by default, which
 * deep links and commands hand it to whom. State lives in the chat's session record.
 */
export class ChatOwnership {
  readonly defaultOwner: string | undefined;
  private readonly byId: Map<string, ConversationParticipant>;
  private readonly commandOwners = new Map<string, string>();

  /**
   * `defaultOwner` (DEFAULT_CHAT_OWNER) must read free text; unset, it is the first plugin that
   * answers all free text, else the first that reads it at all.
   */
  constructor(
    readonly participants: readonly ConversationParticipant[],
    defaultOwner?: string,
  ) {
    this.byId = new Map(participants.map((p) => [p.id, p]));
    for (const p of participants) for (const c of p.commands) this.commandOwners.set(c, p.id);
    const readers = participants.filter((p) => p.conversation?.freeText);
    if (defaultOwner !== undefined && !readers.some((p) => p.id === defaultOwner)) {
      throw new BootError(
        'DEFAULT_CHAT_OWNER_INVALID',
        `DEFAULT_CHAT_OWNER "${defaultOwner}" is not a plugin that reads free text (${readers.map((p) => p.id).join(', ') || 'none does'})`,
      );
    }
    this.defaultOwner =
      defaultOwner ?? (readers.find((p) => p.conversation?.freeText === 'all') ?? readers[0])?.id;
  }

  /** False when no plugin reads free text: every plugin then sees every message (no routing). */
  get enabled(): boolean {
    return this.defaultOwner !== undefined;
  }

  readsFreeText(pluginId: string): boolean {
    return this.byId.get(pluginId)?.conversation?.freeText !== undefined;
  }

  isPlugin(id: string): boolean {
    return this.byId.has(id);
  }

  /** The plugin a /start payload belongs to. */
  deepLinkOwner(payload: string): string | undefined {
    return this.participants.find((p) => p.conversation?.deepLinks?.some((l) => deepLinkCovers(l, payload)))
      ?.id;
  }

  /** The plugin that declares a command. */
  commandOwner(command: string): string | undefined {
    return this.commandOwners.get(command);
  }

  /** Plugins with a /start menu entry, in plugin order. */
  menu(): Array<{ id: string; label: string }> {
    return this.participants.flatMap((p) =>
      p.conversation?.menu ? [{ id: p.id, label: p.conversation.menu }] : [],
    );
  }

  /** Plugins with an intro, in plugin order. */
  intros(): Array<{ id: string; intro: string }> {
    return this.participants.flatMap((p) =>
      p.conversation?.intro ? [{ id: p.id, intro: p.conversation.intro }] : [],
    );
  }

  /** Whether the plugin opens its conversation itself when chosen in the /start menu. */
  opensOnMenu(pluginId: string): boolean {
    return this.byId.get(pluginId)?.conversation?.opensOnMenu === true;
  }

  /** The Fluent key naming a plugin (its menu label), if it has one. */
  nameKey(pluginId: string): string | undefined {
    return this.byId.get(pluginId)?.conversation?.menu;
  }

  /** The plugin that claimed the chat, if it still reads free text in this app. */
  claimed(record: OwnerRecord | undefined): string | undefined {
    const id = record?.[OWNER_FIELD];
    return typeof id === 'string' && this.readsFreeText(id) ? id : undefined;
  }

  owner(record: OwnerRecord | undefined): string | undefined {
    return this.claimed(record) ?? this.defaultOwner;
  }

  /** Only plugins that read free text can own a chat; a claim by another is ignored. */
  claim(record: OwnerRecord | undefined, pluginId: string): boolean {
    if (!record || !this.readsFreeText(pluginId)) return false;
    if (pluginId === this.defaultOwner) delete record[OWNER_FIELD];
    else record[OWNER_FIELD] = pluginId;
    return true;
  }

  release(record: OwnerRecord | undefined, pluginId: string): void {
    if (record && record[OWNER_FIELD] === pluginId) delete record[OWNER_FIELD];
  }

  /** The port one plugin's handlers get, over a chat's record (read lazily: it may be absent). */
  port(record: () => OwnerRecord | undefined, pluginId: string, handedOver: () => boolean): ChatOwner {
    return {
      current: () => this.owner(record()),
      claim: () => void this.claim(record(), pluginId),
      release: () => this.release(record(), pluginId),
      handedOver,
    };
  }
}
