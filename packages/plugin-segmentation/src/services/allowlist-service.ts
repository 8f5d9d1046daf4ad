import type { Sequelize } from 'sequelize';

export interface AllowlistEntry {
  telegramUserId: number;
  note: string | null;
  addedBy: string;
  createdAt: Date;
}

/** Telegram users allowed to see client data (bank data: nobody else gets an answer). */
export class AllowlistService {
  constructor(private readonly sequelize: Sequelize) {}

  async isAllowed(telegramUserId: number): Promise<boolean> {
    const [rows] = (await this.sequelize.query(
      'SELECT 1 FROM segmentation_allowlist WHERE telegram_user_id = $1',
      {
        bind: [telegramUserId],
      },
    )) as [unknown[], unknown];
    return rows.length > 0;
  }

  async list(): Promise<AllowlistEntry[]> {
    const [rows] = (await this.sequelize.query(
      'SELECT * FROM segmentation_allowlist ORDER BY created_at, telegram_user_id',
    )) as [Array<Record<string, unknown>>, unknown];
    return rows.map((r) => ({
      telegramUserId: Number(r.telegram_user_id),
      note: (r.note as string | null) ?? null,
      addedBy: String(r.added_by),
      createdAt: new Date(r.created_at as string),
    }));
  }

  /** Adds (or updates the note of) an entry; returns true when the user was not allowed before. */
  async add(telegramUserId: number, addedBy: string, note?: string): Promise<boolean> {
    const [rows] = (await this.sequelize.query(
      `INSERT INTO segmentation_allowlist (telegram_user_id, note, added_by) VALUES ($1, $2, $3)
       ON CONFLICT (telegram_user_id) DO UPDATE SET note = COALESCE(EXCLUDED.note, segmentation_allowlist.note)
       RETURNING (xmax = 0) AS inserted`,
      { bind: [telegramUserId, note ?? null, addedBy] },
    )) as [Array<{ inserted: boolean }>, unknown];
    return rows[0].inserted;
  }

  async remove(telegramUserId: number): Promise<boolean> {
    const [rows] = (await this.sequelize.query(
      'DELETE FROM segmentation_allowlist WHERE telegram_user_id = $1 RETURNING telegram_user_id',
      { bind: [telegramUserId] },
    )) as [unknown[], unknown];
    return rows.length > 0;
  }

  /** Copies configured ids into the table (existing entries are kept; removal is an admin action). */
  async bootstrap(ids: number[]): Promise<number> {
    let added = 0;
    for (const id of ids) {
      const [rows] = (await this.sequelize.query(
        `INSERT INTO segmentation_allowlist (telegram_user_id, note, added_by) VALUES ($1, 'from config', 'config')
         ON CONFLICT DO NOTHING RETURNING telegram_user_id`,
        { bind: [id] },
      )) as [unknown[], unknown];
      added += rows.length;
    }
    return added;
  }
}
