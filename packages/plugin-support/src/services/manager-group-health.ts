import type { Logger } from 'pino';
import type { SupportConfig } from '../config.js';
import type { DeskPresenter } from './desk-presenter.js';
import type { TelegramPort } from './ports.js';

export interface ManagerGroupStatus {
  state: 'unknown' | 'ok' | 'not_configured' | 'error';
  message?: string;
  checkedAt?: string;
}

export interface ManagerGroupHealthDeps {
  telegram: TelegramPort;
  presenter: DeskPresenter;
  config: SupportConfig;
  /** The manager group in use (the setting, or what the app wired). */
  groupChatId: () => number | undefined;
  logger: Logger;
}

const NOT_CONFIGURED = 'MANAGER_GROUP_CHAT_ID is not set: handoffs cannot reach managers';

/**
 * Whether handoffs can reach managers: the group is configured, is a forum and lets the bot
 * manage topics. A problem is logged and told to the support admin once per distinct problem.
 */
export class ManagerGroupHealth {
  private current: ManagerGroupStatus = { state: 'unknown' };
  private lastAdminAlert = '';

  constructor(private readonly d: ManagerGroupHealthDeps) {}

  status(): ManagerGroupStatus {
    return { ...this.current };
  }

  /** Checks that the manager group exists, is a forum and lets the bot manage topics. */
  async check(): Promise<ManagerGroupStatus> {
    const chatId = this.d.groupChatId();
    if (chatId === undefined) {
      await this.notConfigured();
      return this.status();
    }
    try {
      await this.d.telegram.checkForumRights(chatId);
      this.current = { state: 'ok', checkedAt: new Date().toISOString() };
      this.lastAdminAlert = '';
    } catch (err) {
      await this.problem('error', err instanceof Error ? err.message : String(err));
    }
    return this.status();
  }

  notConfigured(): Promise<void> {
    return this.problem('not_configured', NOT_CONFIGURED);
  }

  /** The group worked just now (a topic was created): a past problem is over. */
  worked(): void {
    if (this.current.state === 'ok') return;
    this.current = { state: 'ok', checkedAt: new Date().toISOString() };
    this.lastAdminAlert = '';
  }

  async problem(state: 'not_configured' | 'error', message: string): Promise<void> {
    this.current = { state, message, checkedAt: new Date().toISOString() };
    this.d.logger[state === 'not_configured' ? 'warn' : 'error'](
      { managerGroupChatId: this.d.groupChatId(), problem: message },
      'manager group problem',
    );
    const adminId = this.d.config.adminUserId;
    if (adminId === undefined || this.lastAdminAlert === message) return;
    this.lastAdminAlert = message;
    try {
      await this.d.telegram.sendMessage(
        adminId,
        this.d.presenter.t(this.d.presenter.groupLocale(), 'support-admin-group-problem', {
          problem: message,
        }),
      );
    } catch (err) {
      this.d.logger.warn({ err }, 'could not alert the support admin');
    }
  }
}
