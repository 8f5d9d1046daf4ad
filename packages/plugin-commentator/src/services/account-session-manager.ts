import type { Crypto } from '@botloom/core';
import type { Logger } from 'pino';
import { isTelegramFailure, TelegramFailure } from '../gateway/telegram-errors.js';
import type { UserAccountGateway, UserAccountSession } from '../gateway/user-account-gateway.js';
import type { AccountSecurityService } from './account-security-service.js';
import type { Sql } from './sql.js';

/**
 * Keeps the signed-in user accounts: stores session strings encrypted, restores them on
 * demand (and at start), and marks an account logged out when Telegram revoked its session.
 * The session string is the account's full credential: it leaves this module only encrypted.
 */
export class AccountSessionManager {
  private readonly live = new Map<number, Promise<UserAccountSession>>();

  constructor(
    private readonly sql: Sql,
    private readonly crypto: Crypto,
    private readonly gateway: () => UserAccountGateway | null,
    private readonly security: AccountSecurityService,
    private readonly logger: Logger,
  ) {}

  gatewayOrFail(): UserAccountGateway {
    const gateway = this.gateway();
    if (!gateway) {
      throw new TelegramFailure(
        'NOT_CONFIGURED',
        'User accounts need apiId and apiHash from my.telegram.org (or the sandbox)',
      );
    }
    return gateway;
  }

  async store(accountId: number, session: UserAccountSession): Promise<void> {
    await this.sql.execute(
      `UPDATE commentator_telegram_account_sessions
       SET session_enc = $2, phone_code_hash_enc = NULL, code_requested_at = NULL, code_attempts = 0, updated_at = now()
       WHERE account_id = $1`,
      [accountId, this.crypto.encrypt(session.exportSession())],
    );
    this.live.set(accountId, Promise.resolve(session));
  }

  /** The account's session, restored from the database once per process. */
  async session(accountId: number): Promise<UserAccountSession> {
    let pending = this.live.get(accountId);
    if (!pending) {
      pending = this.restore(accountId);
      this.live.set(accountId, pending);
      pending.catch(() => this.live.delete(accountId));
    }
    return pending;
  }

  private async restore(accountId: number): Promise<UserAccountSession> {
    const row = await this.sql.one<{ session_enc: string | null }>(
      'SELECT session_enc FROM commentator_telegram_account_sessions WHERE account_id = $1',
      [accountId],
    );
    if (!row?.session_enc)
      throw new TelegramFailure('SESSION_REVOKED', `Account ${accountId} is not signed in`);
    try {
      return await this.gatewayOrFail().restore(this.crypto.decrypt(row.session_enc));
    } catch (error) {
      if (isTelegramFailure(error, 'SESSION_REVOKED')) await this.revoked(accountId);
      throw error;
    }
  }

  /** Telegram ended the session (logged out elsewhere, or banned): nothing sends until a new login. */
  async revoked(accountId: number): Promise<void> {
    await this.forget(accountId);
    await this.sql.execute(
      `UPDATE commentator_accounts SET status = 'logged_out', updated_at = now() WHERE id = $1 AND status <> 'deactivated'`,
      [accountId],
    );
    await this.security.record(accountId, 'session_revoked');
  }

  /** Drops the stored session and disconnects the live one. */
  async forget(accountId: number): Promise<void> {
    const pending = this.live.get(accountId);
    this.live.delete(accountId);
    await this.sql.execute(
      `UPDATE commentator_telegram_account_sessions SET session_enc = NULL, updated_at = now() WHERE account_id = $1`,
      [accountId],
    );
    if (pending) {
      await pending
        .then((s) => s.disconnect())
        .catch((err) => this.logger.debug({ err, accountId }, 'disconnect after logout failed'));
    }
  }

  /** Restores every active account's session (at start), so a broken one shows in the log early. */
  async restoreAll(): Promise<void> {
    if (!this.gateway()) return;
    const rows = await this.sql.select<{ id: number }>(
      `SELECT id FROM commentator_accounts WHERE kind = 'user' AND status IN ('active', 'paused')`,
    );
    for (const { id } of rows) {
      await this.session(id).catch((err) =>
        this.logger.warn(
          { accountId: id, code: (err as { code?: string }).code },
          'could not restore an account session',
        ),
      );
    }
  }

  async disconnectAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((p) => p.then((s) => s.disconnect()).catch(() => undefined)));
  }
}
