import { QueryTypes, type Sequelize } from 'sequelize';
import { ADMIN_LOGIN_FAILURES_TABLE } from './migrations.js';

/**
 * Limits failed sign-ins: at most `maxPerAccount` failures per client address and username,
 * and `maxPerAddress` per address, within `windowMs`. The failures are rows in
 * `core_admin_login_failures`, so every instance behind a balancer counts the same ones.
 */
export interface LoginThrottleOptions {
  windowMs?: number;
  maxPerAccount?: number;
  maxPerAddress?: number;
  now?: () => number;
}

export class LoginThrottle {
  private readonly windowMs: number;
  private readonly maxPerAccount: number;
  private readonly maxPerAddress: number;
  private readonly now: () => number;

  constructor(
    private readonly sequelize: Sequelize,
    options: LoginThrottleOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxPerAccount = options.maxPerAccount ?? 5;
    this.maxPerAddress = options.maxPerAddress ?? 20;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until the next try is allowed, or 0 when it is allowed now. */
  async retryAfter(address: string, username: string): Promise<number> {
    const now = this.now();
    const account = this.accountKey(address, username);
    const ip = this.addressKey(address);
    const rows = await this.sequelize.query<{ key: string; n: string; first: Date }>(
      `SELECT key, count(*) AS n, min(at) AS first FROM ${ADMIN_LOGIN_FAILURES_TABLE}
        WHERE key IN (:keys) AND at > :since GROUP BY key`,
      {
        replacements: { keys: [account, ip], since: new Date(now - this.windowMs) },
        type: QueryTypes.SELECT,
      },
    );
    let wait = 0;
    for (const row of rows) {
      const max = row.key === ip ? this.maxPerAddress : this.maxPerAccount;
      if (Number(row.n) >= max)
        wait = Math.max(wait, Math.ceil((new Date(row.first).getTime() + this.windowMs - now) / 1000));
    }
    return wait;
  }

  async recordFailure(address: string, username: string): Promise<void> {
    const now = this.now();
    await this.sequelize.query(
      `INSERT INTO ${ADMIN_LOGIN_FAILURES_TABLE} (key, at) VALUES (:account, :at), (:ip, :at)`,
      {
        replacements: {
          account: this.accountKey(address, username),
          ip: this.addressKey(address),
          at: new Date(now),
        },
      },
    );
    // Old failures count for nothing: drop them as new ones come (index on `at`).
    await this.sequelize.query(`DELETE FROM ${ADMIN_LOGIN_FAILURES_TABLE} WHERE at <= :since`, {
      replacements: { since: new Date(now - this.windowMs) },
    });
  }

  /** A right password clears that account's failures from that address (not the address's). */
  async recordSuccess(address: string, username: string): Promise<void> {
    await this.sequelize.query(`DELETE FROM ${ADMIN_LOGIN_FAILURES_TABLE} WHERE key = :key`, {
      replacements: { key: this.accountKey(address, username) },
    });
  }

  private accountKey(address: string, username: string): string {
    return `acct:${address.slice(0, 64)}:${username.trim().toLowerCase().slice(0, 64)}`;
  }

  private addressKey(address: string): string {
    return `ip:${address.slice(0, 64)}`;
  }
}
