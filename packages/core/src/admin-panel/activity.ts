import { QueryTypes, type Sequelize } from 'sequelize';
import { ACTIVITY_TABLE } from '../http/migrations.js';

export const ACTIVITY_RETENTION_DAYS = 90;

export interface ActivityDay {
  day: string;
  updates: number;
  /** Distinct senders that day. */
  users: number;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Updates and active users per UTC day for the dashboard: one upsert per update into
 * `core_activity_daily`; rows older than the retention are dropped once a day.
 */
export class ActivityLedger {
  private purgedOn = '';

  constructor(
    private readonly sequelize: Sequelize,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one update; never throws (the bot must not fail on statistics). */
  record(userId: number): void {
    const day = utcDay(this.now());
    this.sequelize
      .query(
        `INSERT INTO ${ACTIVITY_TABLE} (day, user_id, updates) VALUES (:day, :userId, 1)
         ON CONFLICT (day, user_id) DO UPDATE SET updates = ${ACTIVITY_TABLE}.updates + 1`,
        { replacements: { day, userId: Number.isSafeInteger(userId) ? userId : 0 } },
      )
      .then(() => (this.purgedOn === day ? undefined : this.purge(day)))
      .catch(this.onError);
  }

  async days(count: number): Promise<ActivityDay[]> {
    const from = utcDay(this.now() - (count - 1) * 86_400_000);
    const rows = await this.sequelize.query<{ day: string; updates: string; users: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(updates) AS updates, count(*) FILTER (WHERE user_id <> 0) AS users
         FROM ${ACTIVITY_TABLE} WHERE day >= :from GROUP BY day ORDER BY day`,
      { replacements: { from }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ day: r.day, updates: Number(r.updates), users: Number(r.users) }));
  }

  private async purge(day: string): Promise<void> {
    this.purgedOn = day;
    const cutoff = utcDay(this.now() - ACTIVITY_RETENTION_DAYS * 86_400_000);
    await this.sequelize.query(`DELETE FROM ${ACTIVITY_TABLE} WHERE day < :cutoff`, {
      replacements: { cutoff },
    });
  }
}

/** The bot runtime's `onUpdate` hook that counts activity into the database. */
export function activityRecorder(
  sequelize: Sequelize,
  logger: { debug(obj: object, msg: string): void },
): (userId: number) => void {
  const ledger = new ActivityLedger(sequelize, (err) => logger.debug({ err }, 'activity not recorded'));
  return (userId) => ledger.record(userId);
}
