import '../events.js';
import type { EventBus } from '@botloom/core';
import type { Logger } from 'pino';
import type { Clock } from './ports.js';
import type { Sql } from './sql.js';

export type SecurityEvent =
  | 'code_requested'
  | 'login'
  | 'password_needed'
  | 'login_failed'
  | 'logout'
  | 'session_revoked'
  | 'flood_wait'
  | 'slowmode_wait'
  | 'peer_flood'
  | 'paused'
  | 'resumed'
  | 'deactivated'
  | 'reactivation_requested'
  | 'health_ok'
  | 'health_failed';

export interface SecurityLogEntry {
  id: number;
  event: SecurityEvent;
  details: Record<string, unknown>;
  createdAt: Date;
}

/**
 * The account security log (logins, logouts, failures, flood events, pauses) and pausing.
 * Details carry codes and numbers only: never a phone number, a code or a session.
 */
export class AccountSecurityService {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: EventBus,
  ) {}

  async record(
    accountId: number,
    event: SecurityEvent,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.sql.execute(
      'INSERT INTO commentator_account_security_logs (account_id, event, details, created_at) VALUES ($1, $2, $3, $4)',
      [accountId, event, JSON.stringify(details), this.clock()],
    );
  }

  async log(accountId: number, limit = 100): Promise<SecurityLogEntry[]> {
    const rows = await this.sql.select<any>(
      'SELECT id, event, details, created_at FROM commentator_account_security_logs WHERE account_id = $1 ORDER BY id DESC LIMIT $2',
      [accountId, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      event: r.event,
      details: r.details,
      createdAt: r.created_at,
    }));
  }

  /**
   * Stops the account sending until a person resumes it (`until` null) or until a time.
   * PEER_FLOOD means Telegram thinks the account spams: only a person decides to go on.
   */
  async pause(accountId: number, reason: string, until: Date | null): Promise<void> {
    await this.sql.execute(
      `UPDATE commentator_accounts SET status = 'paused', pause_reason = $2, paused_until = $3, updated_at = now()
       WHERE id = $1 AND status IN ('active', 'paused')`,
      [accountId, reason, until],
    );
    await this.record(accountId, 'paused', { reason, until: until?.toISOString() ?? null });
    this.logger.warn({ accountId, reason }, 'commentator account paused');
    await this.events.emit('commentator.account.paused', {
      accountId,
      reason,
      until: until?.toISOString() ?? null,
    });
  }

  async resume(accountId: number, by: string): Promise<boolean> {
    const n = await this.sql.execute(
      `UPDATE commentator_accounts SET status = 'active', pause_reason = NULL, paused_until = NULL, updated_at = now()
       WHERE id = $1 AND status = 'paused'`,
      [accountId],
    );
    if (n > 0) await this.record(accountId, 'resumed', { by });
    return n > 0;
  }
}
