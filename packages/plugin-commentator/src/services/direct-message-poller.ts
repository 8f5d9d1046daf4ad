import type { Logger } from 'pino';
import type { AccountSessionManager } from './account-session-manager.js';
import type { InboxService } from './inbox-service.js';
import type { Clock } from './ports.js';
import type { Sql } from './sql.js';

/**
 * Reads the private messages people sent first to the operator's user accounts and hands
 * them to the inbox (stored, announced as `commentator.message.received`). It only reads:
 * nothing here, or anywhere in the plugin, writes a private message.
 */
export class DirectMessagePoller {
  constructor(
    private readonly sql: Sql,
    private readonly sessions: AccountSessionManager,
    private readonly inbox: InboxService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async poll(): Promise<number> {
    const accounts = await this.sql.select<{ id: number; last: Date | null }>(
      `SELECT a.id, (SELECT max(received_at) FROM commentator_direct_messages d WHERE d.account_id = a.id AND d.kind = 'direct') AS last
       FROM commentator_accounts a WHERE a.kind = 'user' AND a.status IN ('active', 'paused')`,
    );
    let stored = 0;
    for (const account of accounts) {
      const since = account.last ? new Date(account.last) : new Date(this.clock().getTime() - 86_400_000);
      try {
        const session = await this.sessions.session(Number(account.id));
        for (const message of await session.readDirectMessages(since)) {
          if (message.kind !== 'direct') continue;
          if (await this.inbox.record(Number(account.id), message, null)) stored++;
        }
      } catch (err) {
        this.logger.warn(
          { accountId: account.id, code: (err as { code?: string }).code },
          'reading direct messages failed',
        );
      }
    }
    return stored;
  }
}
