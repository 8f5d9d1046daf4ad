import type { ConversationFlavor } from '@grammyjs/conversations';
import type { I18nFlavor } from '@grammyjs/i18n';
import type { Context, SessionFlavor } from 'grammy';

/** Per-chat session: each plugin keeps its part under its own id. */
export type SessionData = Record<string, unknown>;

export interface CoreContextFlavor {
  /** Correlation id of the update being handled (also in every log line of it). */
  correlationId: string;
}

/** The grammY context type every plugin composer receives. */
export type BotContext = ConversationFlavor<
  Context & SessionFlavor<SessionData> & I18nFlavor & CoreContextFlavor
>;
