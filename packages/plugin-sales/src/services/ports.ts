/** Sends a text to a Telegram chat (operator messages, follow-ups): the bot adapter implements it. */
export interface ClientMessenger {
  send(chatId: number, text: string): Promise<void>;
}

/** Translations outside a grammY context (core's Translator fits). */
export interface SalesTranslator {
  t(locale: string, key: string, args?: Record<string, string | number>): string;
}

/** Schedules the silence follow-up as a durable job (core's Jobs fits). */
export interface FollowUpScheduler {
  schedule(data: FollowUpJobData, afterSeconds: number): Promise<void>;
}

export interface FollowUpJobData {
  conversationId: string;
  stage: string;
  /** When the silence began: the client's last message, or the conversation's start (ISO). */
  clientAt: string;
}

export type Clock = () => Date;

export type ManagerAlertReason = 'off' | 'no_group' | 'failed';

export interface ManagerAlertJobData {
  conversationId: string;
  reason: ManagerAlertReason;
  /** One manager chat per job: a retry never alerts a manager twice. */
  chatId: number;
}

/** Queues the alerts to the sales managers as durable jobs (core's Jobs fits). */
export interface ManagerAlertScheduler {
  schedule(data: ManagerAlertJobData): Promise<void>;
}
