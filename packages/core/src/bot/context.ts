import type { ConversationFlavor } from '@grammyjs/conversations';
import type { I18nFlavor } from '@grammyjs/i18n';
import type { Context, SessionFlavor } from 'grammy';
import type { Logger } from 'pino';
import type { ChatOwner } from './chat-owner.js';

/**
 * Per-chat session: each plugin keeps its part under its own id (`ctx.session.support`).
 * Core keeps the locale picked with /language under `__language_code`.
 */
export type SessionData = Record<string, unknown>;

export interface CoreContextFlavor {
  /** Correlation id of the update being handled (also in every log line of it). */
  correlationId: string;
  /**
   * Logger of the plugin whose handler runs now, carrying `plugin` and `correlationId`.
   * Set by core before each plugin's composer.
   */
  logger: Logger;
  /**
   * Which plugin owns this private chat's conversation; `claim()` and `release()` act for the
   * plugin whose handler runs now. Set by core before each plugin's composer.
   */
  chatOwner: ChatOwner;
}

/** The grammY context type every plugin composer receives. */
export type BotContext = ConversationFlavor<
  Context & SessionFlavor<SessionData> & I18nFlavor & CoreContextFlavor
>;

/**
 * The context inside a conversation (@grammyjs/conversations v2 builds a fresh context per
 * step): translations and the correlation id are there, the session is not — read or write it
 * with `conversation.external((outer) => outer.session...)`.
 */
export type ConversationContext = Context & I18nFlavor & Omit<CoreContextFlavor, 'chatOwner'>;
