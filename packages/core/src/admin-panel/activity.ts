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
 * Updates and active users per UTC day for the dashboard (`core_activity_daily`). Updates are
 * counted in memory and written at most once per `flushMs` in one upsert (not one statement
 * per update); a crash loses at most that much of the statistics. Rows older than the
 * retention are dropped once a day.
 */
export class ActivityLedger {
  private purgedOn = '';
  private counts = new Map<string, { day: string; userId: number; updates: number }>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly flushMs = 1000,
  ) {}

  /** Counts one update; never throws (the bot must not fail on statistics). */
  record(userId: number): void {
    const day = utcDay(this.now());
    const id = Number.isSafeInteger(userId) ? userId : 0;
    const key = `${day}:${id}`;
    const entry = this.counts.get(key);
    if (entry) entry.updates++;
    else this.counts.set(key, { day, userId: id, updates: 1 });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what was counted so far (also on shutdown); never throws. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.counts.size === 0) return;
    const rows = [...this.counts.values()];
    this.counts = new Map();
    this.flushing = this.write(rows).catch(this.onError);
    await this.flushing;
    this.flushing = undefined;
  }

  private async write(rows: Array<{ day: string; userId: number; updates: number }>): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO ${ACTIVITY_TABLE} (day, user_id, updates)
       SELECT d::date, u, n FROM unnest(ARRAY[:days]::text[], ARRAY[:users]::bigint[], ARRAY[:updates]::int[]) AS a(d, u, n)
       ON CONFLICT (day, user_id) DO UPDATE SET updates = ${ACTIVITY_TABLE}.updates + EXCLUDED.updates`,
      {
        replacements: {
          days: rows.map((r) => r.day),
          users: rows.map((r) => r.userId),
          updates: rows.map((r) => r.updates),
        },
      },
    );
    const day = rows[0]!.day;
    if (this.purgedOn !== day) await this.purge(day);
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

/** The ledger behind the bot runtime's `onUpdate` hook (`record`); `flush()` it on shutdown. */
export function activityRecorder(
  sequelize: Sequelize,
  logger: { debug(obj: object, msg: string): void },
): ActivityLedger {
  return new ActivityLedger(sequelize, (err) => logger.debug({ err }, 'activity not recorded'));
}
